/**
 * CORS for `/admin` and `/auth`, as Medusa configures the `cors` package for them
 * (`origin: <ADMIN_CORS | AUTH_CORS>`, `credentials: true`): the request's origin is echoed
 * only when it is allowed; credentials are always allowed; a preflight gets the methods
 * `GET,HEAD,PUT,PATCH,POST,DELETE`, the requested headers echoed back, and 204 without
 * reaching authentication. Beyond Medusa: a page of an allowed origin may read the headers
 * this service adds to answers (ETag, Idempotent-Replayed, X-Read-Model).
 */
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { CorsOrigin } from "../config.js";

export interface CorsOptions {
  adminCors: CorsOrigin[];
  authCors: CorsOrigin[];
}

const METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE";
const EXPOSED_HEADERS = "ETag, Idempotent-Replayed, X-Read-Model";

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

export function originAllowed(origins: CorsOrigin[], origin: string): boolean {
  return origins.some((entry) => (typeof entry === "string" ? entry === origin : entry.test(origin)));
}

async function cors(app: FastifyInstance, options: CorsOptions): Promise<void> {
  app.addHook("onRequest", async (request, reply) => {
    const path = request.url.split("?")[0]!;
    const origins = under(path, "/admin") ? options.adminCors : under(path, "/auth") ? options.authCors : undefined;
    if (!origins) return;
    const origin = request.headers.origin;
    const vary = ["Origin"];
    const allowed = origin !== undefined && originAllowed(origins, origin);
    if (allowed) reply.header("access-control-allow-origin", origin);
    reply.header("access-control-allow-credentials", "true");
    if (request.method !== "OPTIONS") {
      if (allowed) reply.header("access-control-expose-headers", EXPOSED_HEADERS);
      reply.header("vary", vary.join(", "));
      return;
    }
    reply.header("access-control-allow-methods", METHODS);
    const requested = request.headers["access-control-request-headers"];
    if (requested) {
      reply.header("access-control-allow-headers", requested);
      vary.push("Access-Control-Request-Headers");
    }
    reply.header("vary", vary.join(", "));
    reply.header("content-length", "0");
    return reply.code(204).send();
  });
}

export default fp(cors, { name: "cors" });
