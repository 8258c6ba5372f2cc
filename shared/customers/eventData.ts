/**
 * The data of the customer stream's events, as TypeBox schemas: the types of customer.ts are
 * derived from them, and they are the published JSON Schemas of these events (shared/events).
 * Published data only ever gains fields; a new meaning gets a new event type.
 */
import { Type } from "typebox";
import { MetadataObject, Nullable, Timestamp } from "../schemaTypes.js";

/** Every field Medusa stores on a customer, as it is on the wire. */
export const CustomerFieldsSchema = Type.Object({
  id: Type.String({ description: "`cus_` followed by a ULID" }),
  email: Nullable(Type.String()),
  company_name: Nullable(Type.String()),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  metadata: Nullable(MetadataObject),
  has_account: Type.Boolean(),
  created_by: Nullable(Type.String({ description: "The actor id of the admin user or secret key that created it" })),
  created_at: Timestamp(),
});

export const EDITABLE_CUSTOMER_FIELDS = ["email", "company_name", "first_name", "last_name", "phone", "metadata"] as const;

export const CustomerCreatedData = CustomerFieldsSchema;

export const CustomerCreationAbandonedData = Type.Object({ id: Type.String(), abandoned_at: Timestamp() });

export const CustomerUpdatedData = Type.Object({
  id: Type.String(),
  changes: Type.Partial(Type.Pick(CustomerFieldsSchema, EDITABLE_CUSTOMER_FIELDS), {
    description: "The new value of each field that changed; `metadata` is the whole object after the merge",
  }),
  updated_at: Timestamp(),
});

export const CustomerDeletedData = Type.Object({ id: Type.String(), deleted_at: Timestamp() });

/** Holds no personal data, by design: it is what remains of the customer once its data key is destroyed. */
export const CustomerErasedData = Type.Object({
  id: Type.String(),
  erased_at: Timestamp(),
  deleted_at: Timestamp("When the customer left every read: its deletion, or the erasure itself when it was live"),
});

export const CustomerAddressSchema = Type.Object({
  id: Type.String({ description: "`cuaddr_` followed by a ULID" }),
  address_name: Nullable(Type.String()),
  is_default_shipping: Type.Boolean(),
  is_default_billing: Type.Boolean(),
  company: Nullable(Type.String()),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  address_1: Nullable(Type.String()),
  address_2: Nullable(Type.String()),
  city: Nullable(Type.String()),
  country_code: Nullable(Type.String()),
  province: Nullable(Type.String()),
  postal_code: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  metadata: Nullable(MetadataObject),
  customer_id: Type.String(),
  created_at: Timestamp(),
  updated_at: Timestamp(),
  deleted_at: Nullable(Timestamp()),
});

export const CustomerAddressAddedData = Type.Object({ customer_id: Type.String(), address: CustomerAddressSchema });

export const CustomerAddressUpdatedData = Type.Object({
  customer_id: Type.String(),
  address_id: Type.String(),
  changes: Type.Partial(CustomerAddressSchema, { description: "The new value of each column that changed; `metadata` merged" }),
  updated_at: Timestamp(),
});

export const CustomerAddressRemovedData = Type.Object({ customer_id: Type.String(), address_id: Type.String() });

export const CustomerAddedToGroupData = Type.Object({ customer_id: Type.String(), group_id: Type.String() });

export const CustomerRemovedFromGroupData = Type.Object({ customer_id: Type.String(), group_id: Type.String() });
