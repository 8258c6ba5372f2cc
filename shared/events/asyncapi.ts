/**
 * The AsyncAPI 3.1 document of what the service publishes (GET /asyncapi.json, and
 * docs/asyncapi.json with the default settings): the events topic, each event version as a
 * message with its CloudEvents headers and its envelope schema, and the Kafka key. Made from
 * the catalogue, so it cannot drift from what the code writes.
 */
import { PUBLISHED_EVENTS, type PublishedEventVersion } from "./catalogue.js";
import { CE_HEADER, CLOUDEVENTS_SOURCE } from "./cloudEvents.js";
import { HEADER } from "./envelope.js";
import { envelopeSchema, eventVersionName } from "./eventSchemas.js";

export interface AsyncApiSettings {
  /** The topic events are published on (EVENTS_TOPIC). */
  eventsTopic: string;
}

export const DEFAULT_ASYNCAPI_SETTINGS: AsyncApiSettings = { eventsTopic: "customers.events.v1" };

const KAFKA_BINDING_VERSION = "0.5.0";

/** A message's id in the document: `CustomerCreated_v1` (component keys allow no dots). */
const messageKey = (entry: PublishedEventVersion) => `${entry.type}_v${entry.version}`;

const headersSchema = {
  type: "object",
  description: "CloudEvents 1.0 attributes (Kafka binary mode), and the service's own headers, which repeat them",
  required: [CE_HEADER.specversion, CE_HEADER.id, CE_HEADER.source, CE_HEADER.type, CE_HEADER.subject, CE_HEADER.time, CE_HEADER.dataschema],
  properties: {
    [CE_HEADER.specversion]: { type: "string", const: "1.0" },
    [CE_HEADER.id]: { type: "string", description: "The event id (`event_id`): skip a message whose id you have handled" },
    [CE_HEADER.source]: { type: "string", const: CLOUDEVENTS_SOURCE },
    [CE_HEADER.type]: { type: "string", description: "The event type (`type`)" },
    [CE_HEADER.subject]: { type: "string", description: "The stream (`stream`): `customer-<id>` or `customer_group-<id>`" },
    [CE_HEADER.time]: { type: "string", format: "date-time", description: "`occurred_at`" },
    [CE_HEADER.dataschema]: { type: "string", description: "The `$id` of the envelope's JSON Schema, naming type and version" },
    [CE_HEADER.contentType]: { type: "string", const: "application/json" },
    [HEADER.eventId]: { type: "string", description: "As ce_id" },
    [HEADER.eventType]: { type: "string", description: "As ce_type" },
    [HEADER.schemaVersion]: { type: "string", description: "`schema_version`, as text" },
    [HEADER.streamRevision]: { type: "string", description: "`stream_revision`, as text" },
  },
};

function message(entry: PublishedEventVersion) {
  const { $schema: _draft, ...payload } = envelopeSchema(entry);
  return {
    name: entry.type,
    title: eventVersionName(entry),
    summary: entry.summary,
    contentType: "application/json",
    headers: { $ref: "#/components/schemas/EventHeaders" },
    payload,
    correlationId: { description: "The request that caused the event", location: "$message.payload#/correlation_id" },
    bindings: {
      kafka: {
        key: { type: "string", description: `The ${entry.stream === "customer" ? "customer" : "customer group"} id: one entity's events stay on one partition, in order` },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

export function asyncApiDocument(settings: AsyncApiSettings = DEFAULT_ASYNCAPI_SETTINGS): Record<string, unknown> {
  const messages = Object.fromEntries(PUBLISHED_EVENTS.map((entry) => [messageKey(entry), message(entry)]));
  const references = Object.keys(messages).map((key) => ({ $ref: `#/channels/customerEvents/messages/${key}` }));
  return {
    asyncapi: "3.1.0",
    info: {
      title: "Customers events",
      version: "1.0.0",
      description:
        "What the customers service publishes: every change of a customer, its addresses and group memberships, and of " +
        "customer groups, as CloudEvents 1.0 in Kafka binary mode. Delivery is at least once and in order per entity " +
        "(the message key): skip an event whose `event_id` (`ce_id`) you have handled. Versions of an event only gain " +
        "fields; read `schema_version` (or `ce_dataschema`) and ignore fields you do not know.",
    },
    defaultContentType: "application/json",
    // The deployment's brokers are not named: the document is public, and they are the operator's to give out.
    servers: {
      kafka: {
        host: "{bootstrap}",
        protocol: "kafka",
        description: "The Kafka cluster the service publishes to (its KAFKA_BROKERS)",
        variables: { bootstrap: { default: "localhost:9092", description: "A bootstrap server, host:port" } },
      },
    },
    channels: {
      customerEvents: {
        address: settings.eventsTopic,
        title: "Customer and customer-group events",
        description: "Every event of the customer and customer-group streams, in order per entity (the key).",
        messages: Object.fromEntries(Object.keys(messages).map((key) => [key, { $ref: `#/components/messages/${key}` }])),
      },
    },
    operations: {
      publishCustomerEvents: {
        action: "send",
        title: "Publish customer events",
        summary: "The service publishes each event once it is in the event store (at least once, in order per entity).",
        channel: { $ref: "#/channels/customerEvents" },
        messages: references,
      },
    },
    components: { messages, schemas: { EventHeaders: headersSchema } },
  };
}
