/**
 * The Idempotency-Key header on every POST and DELETE under /admin: a client that retries a
 * request (a timeout, a dropped connection) with the same key gets the first answer again
 * instead of a second write. Scoped by actor, route and key, kept 24 hours, in the event
 * store (shared/application/idempotencyKeys.ts). The same request is the same method, path,
 * query, body and If-Match; another one with the key answers 422; the same one while the
 * first is still running answers 409 (in another process, once the first has written). Requests without the header are not concerned; those
 * refused by validation or authentication never use their key.
 */
import { createHash } from "node:crypto";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { IdempotencyKeys, RequestKeyClaim } from "../application/idempotencyKeys.js";
import type { RecordedAnswer } from "../idempotencyKeys/idempotencyKey.js";
import { MedusaError } from "./errors.js";
import { requestContext } from "./requestContext.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The Idempotency-Key this request runs under, taken by its first write. */
    keyClaim: RequestKeyClaim | undefined;
  }
}

export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
/** Set on an answer that is a replay of the key's first one. */
export const REPLAYED_HEADER = "idempotent-replayed";

/** Visible ASCII, as keys are usually UUIDs or random tokens. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The headers of an answer that are part of it when replayed. */
const KEPT_HEADERS = ["content-type", "etag", "x-read-model"];

const WRITES = new Set(["POST", "DELETE"]);

/** Sorted keys at every depth: the same JSON however its keys were ordered. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
}

function fingerprintOf(request: FastifyRequest): string {
  const path = request.url.split("?")[0];
  const sameRequest = { method: request.method, path, query: request.query ?? {}, body: request.body ?? null, if_match: request.headers["if-match"] ?? null };
  return createHash("sha256").update(JSON.stringify(canonical(sameRequest))).digest("hex");
}

function keyOf(request: FastifyRequest): string | undefined {
  const key = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (key === undefined || !WRITES.has(request.method)) return undefined;
  if (typeof key !== "string" || !KEY.test(key)) {
    throw new MedusaError("invalid_data", "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, for example)");
  }
  return key;
}

const idempotency: FastifyPluginAsync<{ keys: IdempotencyKeys }> = async (app, { keys }) => {
  app.decorateRequest("keyClaim", undefined);

  app.addHook("preHandler", async (request, reply) => {
    const key = keyOf(request);
    if (key === undefined || !request.actor) return;
    const start = await keys.start({
      actorId: request.actor.id,
      route: `${request.method} ${request.routeOptions.url}`,
      key,
      fingerprint: fingerprintOf(request),
      requestId: request.id,
    });
    if (start.action === "run") {
      request.keyClaim = start.claim;
      return;
    }
    const { status, headers, body } = start.answer;
    return reply.code(status).headers({ ...headers, [REPLAYED_HEADER]: "true" }).send(body);
  });

  app.addHook("onSend", async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = request.keyClaim;
    if (!claim) return payload;
    try {
      // A lost race (409) and the service's own failures (5xx) may go another way when retried.
      if (typeof payload !== "string" || reply.statusCode >= 500 || reply.statusCode === 409) return payload;
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      const answer: RecordedAnswer = { status: reply.statusCode, body: payload, headers };
      await keys.answered(claim, answer, requestContext(request));
      return payload;
    } finally {
      keys.finished(claim);
    }
  });

  // Also once the answer is out by another way than onSend. A client that went away does not
  // free the key: its request still runs, and its retry must wait for it (409).
  app.addHook("onResponse", async (request) => {
    if (request.keyClaim) keys.finished(request.keyClaim);
  });
};

export default fp(idempotency, { name: "idempotency" });
