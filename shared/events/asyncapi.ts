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
import { MEDUSA_CLOUDEVENTS_SOURCE, medusaSchemaId } from "./medusaBusMessages.js";
import { MEDUSA_EMISSIONS, medusaEventName } from "./medusaEvents.js";

export interface AsyncApiSettings {
  /** The topic events are published on (EVENTS_TOPIC). */
  eventsTopic: string;
  /** The topic that carries them under Medusa's names (MEDUSA_EVENTS_TOPIC); absent or "": not published. */
  medusaEventsTopic?: string;
}

export const DEFAULT_ASYNCAPI_SETTINGS: AsyncApiSettings = { eventsTopic: "customers.events.v1", medusaEventsTopic: "customers.medusa-events.v1" };

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

const medusaHeadersSchema = {
  type: "object",
  description: "CloudEvents 1.0 attributes (Kafka binary mode) of a Medusa-named message, and the event it comes from",
  required: [CE_HEADER.specversion, CE_HEADER.id, CE_HEADER.source, CE_HEADER.type, CE_HEADER.subject, CE_HEADER.time, CE_HEADER.dataschema],
  properties: {
    [CE_HEADER.specversion]: { type: "string", const: "1.0" },
    [CE_HEADER.id]: { type: "string", description: "`<event id>:<n>`: the n-th message made from that event; skip one you have handled" },
    [CE_HEADER.source]: { type: "string", const: MEDUSA_CLOUDEVENTS_SOURCE },
    [CE_HEADER.type]: { type: "string", description: "Medusa's event name (`name`)" },
    [CE_HEADER.subject]: { type: "string", description: "The stream of the event it comes from" },
    [CE_HEADER.time]: { type: "string", format: "date-time", description: "When that event occurred" },
    [CE_HEADER.dataschema]: { type: "string", description: "The `$id` of the message's schema" },
    [CE_HEADER.contentType]: { type: "string", const: "application/json" },
    [HEADER.eventId]: { type: "string", description: "The id of the event it comes from (on the events topic)" },
    [HEADER.eventType]: { type: "string", description: "The type of the event it comes from" },
  },
};

/** One message per Medusa event name, its payload as Medusa's bus carries it. */
function medusaMessages(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  for (const [type, emissions] of Object.entries(MEDUSA_EMISSIONS)) {
    for (const emission of emissions) {
      const name = medusaEventName(emission);
      const key = `medusa_${name.replaceAll(/[.-]/g, "_")}`;
      if (messages[key]) continue;
      const membership = emission.object === "customer_group_customer";
      messages[key] = {
        name,
        title: name,
        summary: `${emission.object ? "Module" : "Workflow"} event Medusa emits when ${describe(emission.object ?? "customer", emission.action)} (from ${type})`,
        contentType: "application/json",
        headers: { $ref: "#/components/schemas/MedusaEventHeaders" },
        payload: {
          $id: medusaSchemaId(name),
          type: "object",
          required: ["name", "data", "metadata"],
          properties: {
            name: { type: "string", const: name },
            data: {
              type: "object",
              required: membership ? ["id", "customer_id", "customer_group_id"] : ["id"],
              properties: {
                id: { type: "string", description: membership ? "The membership: `cusgc_<group id>_<customer id>`" : `The ${(emission.object ?? "customer").replaceAll("_", " ")}'s id` },
                ...(membership && { customer_id: { type: "string" }, customer_group_id: { type: "string" } }),
              },
            },
            metadata: {
              type: "object",
              properties: {
                ...(emission.object && { source: { type: "string", const: "customer" }, object: { type: "string", const: emission.object }, action: { type: "string", const: emission.action } }),
                eventGroupId: { type: "string", description: "The request that caused it (its x-request-id)" },
              },
            },
            ...(emission.object && { options: { type: "object", properties: { internal: { type: "boolean", const: true } } } }),
          },
        },
        bindings: { kafka: { key: { type: "string", description: "The customer or customer group id, as on the events topic" }, bindingVersion: KAFKA_BINDING_VERSION } },
      };
    }
  }
  return messages;
}

const describe = (object: string, action: string) => `a ${object.replaceAll("_", " ")} row is ${action}`;

export function asyncApiDocument(settings: AsyncApiSettings = DEFAULT_ASYNCAPI_SETTINGS): Record<string, unknown> {
  const messages = Object.fromEntries(PUBLISHED_EVENTS.map((entry) => [messageKey(entry), message(entry)]));
  const medusa = settings.medusaEventsTopic ? medusaMessages() : {};
  const refs = (keys: string[], channel: string) => keys.map((key) => ({ $ref: `#/channels/${channel}/messages/${key}` }));
  const channelMessages = (keys: string[]) => Object.fromEntries(keys.map((key) => [key, { $ref: `#/components/messages/${key}` }]));
  return {
    asyncapi: "3.1.0",
    info: {
      title: "Customers events",
      version: "1.0.0",
      description:
        "What the customers service publishes: every change of a customer, its addresses and group memberships, and of " +
        "customer groups, as CloudEvents 1.0 in Kafka binary mode. Delivery is at least once and in order per entity " +
        "(the message key): skip an event whose `event_id` (`ce_id`) you have handled. Versions of an event only gain " +
        "fields; read `schema_version` (or `ce_dataschema`) and ignore fields you do not know. A second topic carries " +
        "the same changes under Medusa 2.21's own event names and `{ id }` data.",
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
      api: {
        host: "{host}",
        protocol: "http",
        description: "The service's HTTP API, where GET /admin/events streams the same events as Server-Sent Events (admin credentials)",
        variables: { host: { default: "127.0.0.1:9000", description: "The API's host:port" } },
      },
    },
    channels: {
      customerEvents: {
        servers: [{ $ref: "#/servers/kafka" }],
        address: settings.eventsTopic,
        title: "Customer and customer-group events",
        description:
          "Every event of the customer and customer-group streams, in order per entity (the key). Personal fields travel sealed " +
          "(AES-256-GCM under a key per customer): in `CustomerCreated`, `CustomerUpdated`, `CustomerAddressAdded` and " +
          "`CustomerAddressUpdated` they are missing from `data`, and `data.sealed` (`{ fields, box }`) holds them; the schemas " +
          "describe the data opened. The subscriber kit opens them with the key store, or hands them as null with " +
          '`personal_data: "withheld"`. After `CustomerErased` they can no longer be opened: drop every copy you keep.',
        messages: channelMessages(Object.keys(messages)),
      },
      adminEvents: {
        servers: [{ $ref: "#/servers/api" }],
        address: "/admin/events",
        title: "The events as Server-Sent Events",
        description:
          "GET /admin/events: each event an SSE message, `id` its global position and `data` the envelope (as on the events topic, " +
          "with the personal fields opened; an erased customer's are null, with `erased: true`). " +
          "Reconnect with Last-Event-ID to resume; `types` filters by type; `from=beginning` replays the log.",
        messages: channelMessages(Object.keys(messages)),
      },
      ...(settings.medusaEventsTopic && {
        medusaEvents: {
          servers: [{ $ref: "#/servers/kafka" }],
          address: settings.medusaEventsTopic,
          title: "The same changes under Medusa's event names",
          description:
            "What Medusa 2.21's event bus emits for the same changes, `{ name, data: { id }, metadata }`, so that subscribers written for Medusa port over: " +
            "its workflow events (`customer.created`, `customer.updated`, `customer.deleted`) and its customer module's events " +
            "(`customer.<entity>.<action>`, with `options.internal`). In order per entity (the key).",
          messages: channelMessages(Object.keys(medusa)),
        },
      }),
    },
    operations: {
      publishCustomerEvents: {
        action: "send",
        title: "Publish customer events",
        summary: "The service publishes each event once it is in the event store (at least once, in order per entity).",
        channel: { $ref: "#/channels/customerEvents" },
        messages: refs(Object.keys(messages), "customerEvents"),
      },
      streamAdminEvents: {
        action: "send",
        title: "Stream the events to an admin",
        summary: "The service sends each event, once it is in the event store, to every open GET /admin/events that asks for its type.",
        channel: { $ref: "#/channels/adminEvents" },
        messages: refs(Object.keys(messages), "adminEvents"),
      },
      ...(settings.medusaEventsTopic && {
        publishMedusaEvents: {
          action: "send",
          title: "Publish the events under Medusa's names",
          summary: "Each event, once it is in the event store, as the messages Medusa's bus would carry (at least once, in order per entity).",
          channel: { $ref: "#/channels/medusaEvents" },
          messages: refs(Object.keys(medusa), "medusaEvents"),
        },
      }),
    },
    components: {
      messages: { ...messages, ...medusa },
      schemas: { EventHeaders: headersSchema, ...(settings.medusaEventsTopic && { MedusaEventHeaders: medusaHeadersSchema }) },
    },
  };
}
