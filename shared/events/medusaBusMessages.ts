/**
 * The Medusa topic's messages: each of our events as the messages Medusa's bus would have
 * carried (medusaEvents.ts), keyed like the events topic (one entity's messages stay in order)
 * and with CloudEvents headers of their own: `ce_type` is Medusa's event name, `ce_id` the
 * event id with the message's place among that event's messages (`<event id>:0`), which stays
 * the same when the message is sent again.
 */
import type { BusMessage } from "../bus/port.js";
import type { RecordedEvent } from "../eventstore/port.js";
import { CE_HEADER } from "./cloudEvents.js";
import { HEADER, aggregateIdOf } from "./envelope.js";
import { medusaEventsOf } from "./medusaEvents.js";

export const MEDUSA_CLOUDEVENTS_SOURCE = "urn:medusa-customers:medusa";

/** `urn:medusa-customers:medusa-events:customer.created:v1`: the `$id` of a Medusa message's schema. */
export const medusaSchemaId = (name: string): string => `urn:medusa-customers:medusa-events:${name}:v1`;

export function toMedusaBusMessages(event: RecordedEvent): BusMessage[] {
  return medusaEventsOf({ type: event.type, data: event.data, correlationId: event.metadata.correlation_id }).map((message, index) => ({
    key: aggregateIdOf(event.stream),
    headers: {
      [CE_HEADER.specversion]: "1.0",
      [CE_HEADER.id]: `${event.metadata.event_id}:${index}`,
      [CE_HEADER.source]: MEDUSA_CLOUDEVENTS_SOURCE,
      [CE_HEADER.type]: message.name,
      [CE_HEADER.subject]: event.stream,
      [CE_HEADER.time]: event.metadata.occurred_at,
      [CE_HEADER.dataschema]: medusaSchemaId(message.name),
      [CE_HEADER.contentType]: "application/json",
      [HEADER.eventId]: event.metadata.event_id,
      [HEADER.eventType]: event.type,
    },
    value: JSON.stringify(message),
  }));
}
