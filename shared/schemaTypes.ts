/**
 * Building blocks of the event data schemas. Event data is written once and read for ever,
 * by this service and by subscribers, so its schemas are the published contract (JSON Schema,
 * docs/events) as well as the types the code uses (Static<typeof ...>).
 */
import { type TSchema, Type } from "typebox";

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An ISO 8601 timestamp in UTC, as `Date.toISOString()` writes it. */
export const Timestamp = (description?: string) => Type.String({ format: "date-time", ...(description && { description }) });

/** The free-form JSON object customers, addresses and groups carry (shared/metadata.ts). */
export const MetadataObject = Type.Record(Type.String(), Type.Unknown(), { description: "Free-form JSON object" });
