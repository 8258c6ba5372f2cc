/**
 * CloudEvents 1.0 in Kafka binary mode: the event's attributes as `ce_*` message headers,
 * the message value its data (the envelope, JSON). A subscriber can use any CloudEvents SDK,
 * or read the envelope alone; the two agree field by field.
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md
 */
import { eventSchemaId } from "./eventSchemas.js";

/** The `source` of every event this service publishes. */
export const CLOUDEVENTS_SOURCE = "urn:medusa-customers";

export const CE_HEADER = {
  specversion: "ce_specversion",
  id: "ce_id",
  source: "ce_source",
  type: "ce_type",
  subject: "ce_subject",
  time: "ce_time",
  dataschema: "ce_dataschema",
  contentType: "content-type",
} as const;

export interface CloudEventAttributes {
  specversion: "1.0";
  /** The event id: unique per event, the key to skip duplicates with. */
  id: string;
  source: string;
  /** The event type (`CustomerCreated`). */
  type: string;
  /** The stream (`customer-cus_01…`). */
  subject: string;
  time: string;
  /** The `$id` of the JSON Schema of the type and version (eventSchemas.ts). */
  dataschema: string;
}

export function cloudEventHeaders(event: { event_id: string; type: string; schema_version: number; stream: string; occurred_at: string }): Record<string, string> {
  return {
    [CE_HEADER.specversion]: "1.0",
    [CE_HEADER.id]: event.event_id,
    [CE_HEADER.source]: CLOUDEVENTS_SOURCE,
    [CE_HEADER.type]: event.type,
    [CE_HEADER.subject]: event.stream,
    [CE_HEADER.time]: event.occurred_at,
    [CE_HEADER.dataschema]: eventSchemaId(event.type, event.schema_version),
    [CE_HEADER.contentType]: "application/json",
  };
}

/** The attributes of a message's headers; undefined when it is not a CloudEvent of version 1.0. */
export function cloudEventOf(headers: Record<string, string | undefined>): CloudEventAttributes | undefined {
  const get = (name: string) => headers[name];
  const [id, source, type, subject, time, dataschema] = [CE_HEADER.id, CE_HEADER.source, CE_HEADER.type, CE_HEADER.subject, CE_HEADER.time, CE_HEADER.dataschema].map(get);
  if (get(CE_HEADER.specversion) !== "1.0" || !id || !source || !type) return undefined;
  return { specversion: "1.0", id, source, type, subject: subject ?? "", time: time ?? "", dataschema: dataschema ?? "" };
}
