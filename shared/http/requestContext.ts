import type { FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import type { CommandContext } from "../application/context.js";
import { ifMatchRevisions } from "./entityTags.js";

/** The command context of an authenticated request: its actor, ids for tracing, its If-Match and Idempotency-Key. */
export function commandContext(request: FastifyRequest): CommandContext {
  const ifMatch = ifMatchRevisions(request);
  const idempotency = request.keyClaim;
  return { ...requestContext(request), ...(ifMatch && { ifMatch }), ...(idempotency && { idempotency }) };
}

/** Who asks and the ids for tracing, without the request's preconditions: for the service's own bookkeeping writes. */
export function requestContext(request: FastifyRequest): CommandContext {
  if (!request.actor) throw new Error("requestContext called on an unauthenticated request");
  return { actor: request.actor, correlationId: request.id, causationId: randomUUID() };
}
