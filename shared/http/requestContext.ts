import type { FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import type { CommandContext } from "../application/context.js";

/** The command context of an authenticated request: its actor, and ids for tracing. */
export function commandContext(request: FastifyRequest): CommandContext {
  if (!request.actor) throw new Error("commandContext called on an unauthenticated request");
  return { actor: request.actor, correlationId: request.id, causationId: randomUUID() };
}
