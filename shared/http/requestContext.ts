import type { FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import type { CommandContext } from "../application/context.js";
import { ifMatchRevisions } from "./entityTags.js";

/** The command context of an authenticated request: its actor, ids for tracing, its If-Match. */
export function commandContext(request: FastifyRequest): CommandContext {
  if (!request.actor) throw new Error("commandContext called on an unauthenticated request");
  const ifMatch = ifMatchRevisions(request);
  return { actor: request.actor, correlationId: request.id, causationId: randomUUID(), ...(ifMatch && { ifMatch }) };
}
