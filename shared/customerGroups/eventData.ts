/**
 * The data of the customer-group stream's events, as TypeBox schemas: the types of group.ts
 * are derived from them, and they are the published JSON Schemas of these events
 * (shared/events). Published data only ever gains fields; a new meaning gets a new event type.
 */
import { Type } from "typebox";
import { MetadataObject, Nullable, Timestamp } from "../schemaTypes.js";

export const CustomerGroupFieldsSchema = Type.Object({
  id: Type.String({ description: "`cusgroup_` followed by a ULID" }),
  name: Type.String(),
  metadata: Nullable(MetadataObject),
  created_by: Nullable(Type.String({ description: "The actor id of the admin user or secret key that created it" })),
  created_at: Timestamp(),
});

export const CustomerGroupCreatedData = CustomerGroupFieldsSchema;

export const CustomerGroupUpdatedData = Type.Object({
  id: Type.String(),
  changes: Type.Partial(Type.Pick(CustomerGroupFieldsSchema, ["name", "metadata"]), {
    description: "The new `name` and/or `metadata` (the whole object after the merge)",
  }),
  updated_at: Timestamp(),
});

export const CustomerGroupDeletedData = Type.Object({ id: Type.String(), deleted_at: Timestamp() });

export const CustomerGroupCreationAbandonedData = Type.Object({ id: Type.String(), abandoned_at: Timestamp() });
