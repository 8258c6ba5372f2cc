/**
 * Admin authentication as Medusa does it for `/admin` routes: `Authorization: Bearer <JWT>`
 * signed with the shared secret (HS256) whose payload names an actor of type "user".
 * Every failure is the same bare 401 `{"message":"Unauthorized"}` that Medusa writes,
 * outside the usual error body.
 */
import fastifyJwt from "@fastify/jwt";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";

export interface Actor {
  id: string;
  type: "user" | "api-key";
}

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor | undefined;
  }
}

interface MedusaTokenPayload {
  actor_id?: unknown;
  actor_type?: unknown;
}

const SECRET_KEY_AS_BEARER =
  "A secret API key was passed as a Bearer token. Secret API keys must be sent using HTTP Basic authentication instead (Authorization: Basic <secret-api-key>).";

export interface AdminAuthOptions {
  jwtSecret: string;
}

async function adminAuth(app: FastifyInstance, options: AdminAuthOptions): Promise<void> {
  await app.register(fastifyJwt, {
    secret: options.jwtSecret,
    sign: { algorithm: "HS256" },
    verify: { algorithms: ["HS256"] },
  });
  app.decorateRequest("actor", undefined);
  const verified = new VerifiedTokens(10_000);

  /** preValidation hook: runs after the body is parsed (so bad JSON is a 400 first), before validation. */
  app.decorate("authenticateAdmin", async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? "";
    const match = /(\S+)\s+(\S+)/.exec(header);
    if (match && match[1]!.toLowerCase() === "bearer") {
      const actor = verified.get(match[2]!) ?? verifyAdminToken(app, match[2]!, verified);
      if (actor) {
        request.actor = actor;
        return;
      }
      if (match[2]!.startsWith("sk_")) return reply.code(401).send({ message: SECRET_KEY_AS_BEARER });
    }
    return reply.code(401).send({ message: "Unauthorized" });
  });
}

function verifyAdminToken(app: FastifyInstance, token: string, verified: VerifiedTokens): Actor | undefined {
  let payload: MedusaTokenPayload & { exp?: unknown };
  try {
    payload = app.jwt.verify<MedusaTokenPayload & { exp?: unknown }>(token);
  } catch {
    return undefined;
  }
  if (payload.actor_type !== "user" || typeof payload.actor_id !== "string" || payload.actor_id === "") return undefined;
  const actor: Actor = { id: payload.actor_id, type: "user" };
  if (typeof payload.exp === "number") verified.remember(token, actor, payload.exp * 1000);
  return actor;
}

/**
 * Tokens already verified, until they expire: a client sends the same token with every
 * request, and checking its signature each time is a good part of a request's cost. Only
 * the exact token string is trusted again, and never past its `exp`.
 */
class VerifiedTokens {
  readonly #entries = new Map<string, { actor: Actor; expiresAt: number }>();

  constructor(private readonly max: number) {}

  get(token: string): Actor | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (Date.now() >= entry.expiresAt) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.actor;
  }

  remember(token: string, actor: Actor, expiresAt: number): void {
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { actor, expiresAt });
  }
}

declare module "fastify" {
  interface FastifyInstance {
    authenticateAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

export default fp(adminAuth, { name: "admin-auth" });
