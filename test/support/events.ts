import { randomUUID } from "node:crypto";
import type { EventToAppend } from "../../shared/eventstore/port.js";

/** An event as a command would append it: a fresh event id, the rest of the metadata fixed. */
export function eventToAppend(type: string, data: Record<string, unknown> = {}): EventToAppend {
  return {
    type,
    data,
    metadata: {
      event_id: randomUUID(),
      schema_version: 1,
      occurred_at: new Date().toISOString(),
      correlation_id: "corr-1",
      causation_id: "cause-1",
      actor: { id: "user_1", type: "user" },
    },
  };
}
