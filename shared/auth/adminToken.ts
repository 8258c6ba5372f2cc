/**
 * Tokens in the shape Medusa 2.21 issues them (HS256, 24 h by default): the login routes
 * sign them for users, `npm run token` mints one for development. Verification is in
 * shared/http/auth.ts.
 */
import { createHmac, randomBytes } from "node:crypto";

/** The claims of a Medusa 2.21 token, in Medusa's order; also what a session holds. */
export interface AuthContext {
  actor_id: string;
  actor_type: string;
  auth_identity_id: string;
  auth_provider?: string;
  mfa_enabled?: boolean;
  mfa_challenge_completed_at?: string | null;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  iat?: number;
  exp?: number;
}

export const TOKEN_LIFETIME_SECONDS = 86_400;

export interface AdminTokenRequest {
  secret: string;
  actorId: string;
  now: Date;
  expiresInSeconds: number;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString("base64url");

/** A ULID-like id with Medusa's prefix, for tokens minted without a user store. */
export function newUserId(): string {
  return `user_${randomBytes(13).toString("hex").toUpperCase().slice(0, 26)}`;
}

/** Signs the claims with `iat` and `exp` added, as jsonwebtoken does. */
export function signToken(claims: Omit<AuthContext, "iat" | "exp">, options: { secret: string; now: Date; expiresInSeconds: number }): string {
  const iat = Math.floor(options.now.getTime() / 1000);
  const payload = { ...claims, iat, exp: iat + options.expiresInSeconds };
  const signingInput = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac("sha256", options.secret).update(signingInput).digest("base64url");
  return `${signingInput}.${signature}`;
}

export function signAdminToken({ secret, actorId, now, expiresInSeconds }: AdminTokenRequest): string {
  return signToken(
    {
      actor_id: actorId,
      actor_type: "user",
      auth_identity_id: "",
      auth_provider: "emailpass",
      mfa_enabled: false,
      mfa_challenge_completed_at: null,
      app_metadata: { user_id: actorId },
      user_metadata: {},
    },
    { secret, now, expiresInSeconds },
  );
}
