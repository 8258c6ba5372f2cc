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

  /** preValidation hook: runs after the body is parsed (so bad JSON is a 400 first), before validation. */
  app.decorate("authenticateAdmin", async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? "";
    const match = /(\S+)\s+(\S+)/.exec(header);
    if (match && match[1]!.toLowerCase() === "bearer") {
      const actor = verifyAdminToken(app, match[2]!);
      if (actor) {
        request.actor = actor;
        return;
      }
      if (match[2]!.startsWith("sk_")) return reply.code(401).send({ message: SECRET_KEY_AS_BEARER });
    }
    return reply.code(401).send({ message: "Unauthorized" });
  });
}

function verifyAdminToken(app: FastifyInstance, token: string): Actor | undefined {
  let payload: MedusaTokenPayload;
  try {
    payload = app.jwt.verify<MedusaTokenPayload>(token);
  } catch {
    return undefined;
  }
  if (payload.actor_type !== "user" || typeof payload.actor_id !== "string" || payload.actor_id === "") return undefined;
  return { id: payload.actor_id, type: "user" };
}

declare module "fastify" {
  interface FastifyInstance {
    authenticateAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

export default fp(adminAuth, { name: "admin-auth" });
