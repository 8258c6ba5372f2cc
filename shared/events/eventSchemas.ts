/**
 * The JSON Schema of each published event version: the whole envelope (the Kafka message
 * value, the SSE `data`), with `type` and `schema_version` fixed and `data` the TypeBox schema
 * the code itself uses. Each has an `$id`, which messages name in `ce_dataschema`.
 * Schemas leave other properties open on purpose: versions grow by adding fields, and a
 * subscriber ignores what it does not know.
 */
import { Type } from "typebox";
import { PUBLISHED_EVENTS, type PublishedEventVersion } from "./catalogue.js";
import { Timestamp } from "../schemaTypes.js";

const SCHEMA_ID_PREFIX = "urn:medusa-customers:events:";

/** `urn:medusa-customers:events:CustomerCreated:v1`: the `$id` of the schema and the messages' `ce_dataschema`. */
export const eventSchemaId = (type: string, version: number): string => `${SCHEMA_ID_PREFIX}${type}:v${version}`;

/** The name of a version in documents and file names: `CustomerCreated.v1`. */
export const eventVersionName = (entry: Pick<PublishedEventVersion, "type" | "version">): string => `${entry.type}.v${entry.version}`;

/** The envelope of one event version, as a TypeBox schema (what the subscriber kit checks messages with). */
export function envelopeTypeBox(entry: PublishedEventVersion) {
  return Type.Object(
    {
      event_id: Type.String({ format: "uuid", description: "Unique per event, kept across redeliveries: the key to skip duplicates with (also `ce_id`)" }),
      type: Type.Literal(entry.type),
      schema_version: Type.Literal(entry.version),
      stream: Type.String({ pattern: `^${entry.stream}-`, description: `The stream it belongs to: \`${entry.stream}-<id>\`` }),
      stream_revision: Type.Integer({ minimum: 0, description: "Its place in its stream, from 0: one stream's events come in this order" }),
      position: Type.String({ description: "Its place in the event store's global log (opaque text; the SSE stream's event id)" }),
      occurred_at: Timestamp("When the command that wrote it was decided"),
      recorded_at: Timestamp("When the event store recorded it"),
      correlation_id: Type.String({ description: "The request that caused it (its x-request-id)" }),
      causation_id: Type.String({ description: "The command that wrote it" }),
      actor: Type.Object(
        { id: Type.String({ description: "`user_…` or a secret key `apk_…`" }), type: Type.String({ description: "`user` or `api-key`" }) },
        { description: "Who made the change" },
      ),
      data: entry.data,
    },
    { $id: eventSchemaId(entry.type, entry.version), title: eventVersionName(entry), description: entry.summary },
  );
}

/** The envelope of one event version, as plain JSON Schema (draft-07 keywords). */
export function envelopeSchema(entry: PublishedEventVersion): Record<string, unknown> {
  return { $schema: "http://json-schema.org/draft-07/schema#", ...plainJson(envelopeTypeBox(entry)) };
}

/** Every published version's envelope schema, by name (`CustomerCreated.v1`). */
export function allEnvelopeSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(PUBLISHED_EVENTS.map((entry) => [eventVersionName(entry), envelopeSchema(entry)]));
}

/** TypeBox schemas are plain objects; a JSON round trip drops anything that is not JSON Schema. */
const plainJson = (schema: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
