/**
 * The published form of an event: what subscribers of the bus receive as a message value,
 * plus the message key and headers (CloudEvents' `ce_*`, and the service's own since its first
 * version). This is a public contract (docs/asyncapi.json, README "Event catalogue"); change it
 * only by adding fields or by a new schema_version (shared/events/catalogue.ts).
 */
import type { BusMessage } from "../bus/port.js";
import type { RecordedEvent } from "../eventstore/port.js";
import { cloudEventHeaders } from "./cloudEvents.js";
import { upcast } from "./upcasting.js";

export interface EventEnvelope {
  event_id: string;
  type: string;
  schema_version: number;
  stream: string;
  stream_revision: number;
  position: string;
  occurred_at: string;
  recorded_at: string;
  correlation_id: string;
  causation_id: string;
  actor: { id: string; type: string };
  data: unknown;
}

export const HEADER = {
  eventId: "event-id",
  eventType: "event-type",
  schemaVersion: "schema-version",
  streamRevision: "stream-revision",
} as const;

export function toEnvelope(event: RecordedEvent): EventEnvelope {
  const { metadata } = event;
  return {
    event_id: metadata.event_id,
    type: event.type,
    schema_version: metadata.schema_version,
    stream: event.stream,
    stream_revision: event.revision,
    position: event.position,
    occurred_at: metadata.occurred_at,
    recorded_at: event.recorded_at,
    correlation_id: metadata.correlation_id,
    causation_id: metadata.causation_id,
    actor: metadata.actor,
    data: event.data,
  };
}

/** The aggregate id is the stream name after its category prefix ("customer-cus_01..."). */
export function aggregateIdOf(stream: string): string {
  const dash = stream.indexOf("-");
  return dash === -1 ? stream : stream.slice(dash + 1);
}

export function toBusMessage(event: RecordedEvent): BusMessage {
  const envelope = toEnvelope(event);
  return {
    key: aggregateIdOf(event.stream),
    headers: {
      ...cloudEventHeaders(envelope),
      [HEADER.eventId]: envelope.event_id,
      [HEADER.eventType]: envelope.type,
      [HEADER.schemaVersion]: String(envelope.schema_version),
      [HEADER.streamRevision]: String(envelope.stream_revision),
    },
    value: JSON.stringify(envelope),
  };
}

/** A message value as an envelope of the current version of its type (upcast when it was written in an older one). */
export function parseEnvelope(value: string): EventEnvelope {
  const envelope = JSON.parse(value) as EventEnvelope;
  if (typeof envelope?.type !== "string" || typeof envelope.stream_revision !== "number" || typeof envelope.stream !== "string") {
    throw new Error("Not an event envelope");
  }
  return upcast(envelope);
}
