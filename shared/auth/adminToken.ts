/**
 * Admin tokens in the shape Medusa 2.21 issues them (HS256, `actor_type: "user"`, 24 h),
 * for `npm run token` until users can log in. Verification is in shared/http/auth.ts.
 */
import { createHmac, randomBytes } from "node:crypto";

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

export function signAdminToken({ secret, actorId, now, expiresInSeconds }: AdminTokenRequest): string {
  const iat = Math.floor(now.getTime() / 1000);
  const payload = {
    actor_id: actorId,
    actor_type: "user",
    auth_identity_id: "",
    auth_provider: "emailpass",
    app_metadata: { user_id: actorId },
    user_metadata: {},
    iat,
    exp: iat + expiresInSeconds,
  };
  const signingInput = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac("sha256", secret).update(signingInput).digest("base64url");
  return `${signingInput}.${signature}`;
}
