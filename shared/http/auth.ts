/**
 * Authentication as Medusa's `authenticate(actorType, authTypes, options)` middleware does
 * it, checked in Medusa's order:
 *   1. api-key (only for the "user" actor): `Authorization: Basic <sk_...>` or
 *      `Basic base64("sk_...:")`; the actor is the key, `{type: "api-key", id: "apk_..."}`;
 *   2. session: the `connect.sid` cookie of a session made by `POST /auth/session`;
 *   3. bearer: `Authorization: Bearer <JWT>` signed with the shared secret (HS256).
 * The session's or token's actor type must be the one asked for ("*": any), and its
 * `actor_id` non-empty unless unregistered identities are allowed. Every failure is the
 * same bare 401 `{"message":"Unauthorized"}` that Medusa writes, outside the usual error
 * body; a secret key sent as a Bearer token gets Medusa's explanation instead.
 */
import fastifyJwt from "@fastify/jwt";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { AuthContext } from "../auth/adminToken.js";
import type { CorsOrigin } from "../config.js";
import type { SessionStore } from "../sessions/port.js";
import { CROSS_SITE_REFUSED, isCrossSiteWrite } from "./crossSite.js";
import { type SessionCookieOptions, sessionIdFrom } from "./sessionCookie.js";

export interface Actor {
  id: string;
  type: "user" | "api-key";
}

declare module "fastify" {
  interface FastifyRequest {
    /** The admin actor of an `/admin` request (recorded as `created_by` and in events). */
    actor: Actor | undefined;
    /** What the request was authenticated with: the token's claims or the session's. */
    authContext: AuthContext | undefined;
    /** Set when the request was authenticated by its session cookie. */
    sessionId: string | undefined;
  }
  interface FastifyInstance {
    authenticateAdmin: PreValidationHook;
    authenticate: (actorType: "user" | "*", authTypes: AuthType[], options?: { allowUnregistered?: boolean }) => PreValidationHook;
  }
}

type PreValidationHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
export type AuthType = "api-key" | "session" | "bearer";

/** Medusa's ids: a prefix and a ULID (`user_01H...`); letters, digits, `_` and `-` here. */
const ACTOR_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

const SECRET_KEY_AS_BEARER =
  "A secret API key was passed as a Bearer token. Secret API keys must be sent using HTTP Basic authentication instead (Authorization: Basic <secret-api-key>).";

export interface AdminAuthOptions {
  jwtSecret: string;
  sessions: SessionStore;
  cookie: SessionCookieOptions;
  /** The id of the active key this secret belongs to, if any. */
  authenticateApiKey: (secret: string) => Promise<{ id: string } | undefined>;
  /** Other origins whose pages may write with the session cookie (ADMIN_CORS and AUTH_CORS). */
  trustedOrigins: CorsOrigin[];
}

async function adminAuth(app: FastifyInstance, options: AdminAuthOptions): Promise<void> {
  await app.register(fastifyJwt, {
    secret: options.jwtSecret,
    sign: { algorithm: "HS256" },
    verify: { algorithms: ["HS256"] },
  });
  app.decorateRequest("actor", undefined);
  app.decorateRequest("authContext", undefined);
  app.decorateRequest("sessionId", undefined);
  const verified = new VerifiedTokens(10_000);

  const permitted = (actorType: "user" | "*", context: AuthContext | undefined): context is AuthContext =>
    context !== undefined && (actorType === "*" || context.actor_type === actorType);

  async function fromApiKey(header: string): Promise<{ id: string } | undefined> {
    if (!header.startsWith("Basic ")) return undefined;
    let secret = header.slice("Basic ".length).trim();
    if (!secret.startsWith("sk_")) secret = Buffer.from(secret, "base64").toString("utf8");
    if (secret.endsWith(":")) secret = secret.slice(0, -1);
    return secret.startsWith("sk_") ? options.authenticateApiKey(secret) : undefined;
  }

  async function fromSession(request: FastifyRequest): Promise<AuthContext | undefined> {
    const id = sessionIdFrom(request.headers.cookie, options.cookie);
    if (!id) return undefined;
    const context = await options.sessions.get(id, new Date());
    if (context) request.sessionId = id;
    return context;
  }

  function fromBearer(header: string): AuthContext | undefined {
    const match = /(\S+)\s+(\S+)/.exec(header);
    if (!match || match[1]!.toLowerCase() !== "bearer") return undefined;
    return verified.get(match[2]!) ?? verifyToken(app, match[2]!, verified);
  }

  app.decorate("authenticate", (actorType: "user" | "*", authTypes: AuthType[], { allowUnregistered = false } = {}): PreValidationHook => {
    /** preValidation hook: runs after the body is parsed (so bad JSON is a 400 first), before validation. */
    return async (request, reply) => {
      const header = request.headers.authorization ?? "";
      if (authTypes.includes("api-key") && actorType === "user") {
        const key = await fromApiKey(header);
        if (key) {
          request.actor = { id: key.id, type: "api-key" };
          request.authContext = { actor_id: key.id, actor_type: "api-key", auth_identity_id: "", app_metadata: {}, user_metadata: {} };
          return;
        }
      }
      let context: AuthContext | undefined;
      if (authTypes.includes("session")) {
        const session = await fromSession(request);
        if (permitted(actorType, session)) context = session;
        else request.sessionId = undefined;
      }
      if (!context && authTypes.includes("bearer")) {
        const token = fromBearer(header);
        if (permitted(actorType, token)) context = token;
      }
      if (context && (context.actor_id !== "" || allowUnregistered)) {
        if (request.sessionId !== undefined && isCrossSiteWrite(request, options.trustedOrigins)) {
          return reply.code(403).send({ type: "not_allowed", message: CROSS_SITE_REFUSED });
        }
        request.authContext = context;
        if (context.actor_type === "user") request.actor = { id: context.actor_id, type: "user" };
        return;
      }
      if (/^bearer\s+sk_/i.test(header)) return reply.code(401).send({ message: SECRET_KEY_AS_BEARER });
      return reply.code(401).send({ message: "Unauthorized" });
    };
  });
  app.decorate("authenticateAdmin", app.authenticate("user", ["api-key", "session", "bearer"]));
}

function verifyToken(app: FastifyInstance, token: string, verified: VerifiedTokens): AuthContext | undefined {
  let payload: Partial<AuthContext>;
  try {
    payload = app.jwt.verify<Partial<AuthContext>>(token);
  } catch {
    return undefined;
  }
  if (typeof payload.actor_type !== "string" || typeof payload.actor_id !== "string") return undefined;
  // A token that never expires cannot be taken back short of changing the secret; Medusa's all
  // carry `exp`. The actor id goes into events as `created_by`: only ids of Medusa's form.
  if (typeof payload.exp !== "number") return undefined;
  if (payload.actor_id !== "" && !ACTOR_ID.test(payload.actor_id)) return undefined;
  const context = payload as AuthContext;
  verified.remember(token, context, payload.exp * 1000);
  return context;
}

/**
 * Tokens already verified, until they expire: a client sends the same token with every
 * request, and checking its signature each time is a good part of a request's cost. Only
 * the exact token string is trusted again, and never past its `exp`.
 */
class VerifiedTokens {
  readonly #entries = new Map<string, { context: AuthContext; expiresAt: number }>();

  constructor(private readonly max: number) {}

  get(token: string): AuthContext | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (Date.now() >= entry.expiresAt) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.context;
  }

  remember(token: string, context: AuthContext, expiresAt: number): void {
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { context, expiresAt });
  }
}

export default fp(adminAuth, { name: "admin-auth" });
