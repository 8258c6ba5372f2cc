/** Who asks, and the ids that tie the resulting events to the request. */
import { randomUUID } from "node:crypto";
import type { EventMetadata, EventToAppend, StreamAppend } from "../eventstore/port.js";

export interface CommandContext {
  actor: { id: string; type: string };
  /** Ties together everything one request caused (the request id). */
  correlationId: string;
  /** What directly caused these events (the command's own id). */
  causationId: string;
  /**
   * The revisions the entity's stream may be at for the command to be decided (If-Match);
   * any other answers StaleRevision. Absent: decided on whatever is current.
   */
  ifMatch?: readonly number[];
  /** The request's Idempotency-Key, taken by its first write (shared/application/idempotencyKeys.ts). */
  idempotency?: KeyClaim;
}

/** What a request's first write appends alongside its own events to take its Idempotency-Key. */
export interface KeyClaim {
  readonly stream: string;
  /** The append that takes the key; none once this request has written it. `attempt` > 0 reads the key again. */
  append(context: CommandContext, now: Date, attempt: number): Promise<StreamAppend | undefined>;
  /** The write that carried the append landed. */
  taken(): void;
}

/**
 * The context of a write the command makes beside its own (fencing an abandoned create): the
 * request's preconditions (If-Match, its Idempotency-Key) are about the command's own stream.
 */
export function sideWriteContext({ ifMatch: _ownRevision, idempotency: _ownKey, ...context }: CommandContext): CommandContext {
  return context;
}

export const SCHEMA_VERSION = 1;

export function toEventsToAppend(
  events: Array<{ type: string; data: unknown }>,
  context: CommandContext,
  now: Date,
): EventToAppend[] {
  return events.map((event) => ({ type: event.type, data: event.data, metadata: eventMetadata(context, now) }));
}

function eventMetadata(context: CommandContext, now: Date): EventMetadata {
  return {
    event_id: randomUUID(),
    schema_version: SCHEMA_VERSION,
    occurred_at: now.toISOString(),
    correlation_id: context.correlationId,
    causation_id: context.causationId,
    actor: context.actor,
  };
}
