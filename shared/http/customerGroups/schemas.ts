/**
 * Request schemas of the customer-group routes (Medusa's AdminCreateCustomerGroup,
 * AdminUpdateCustomerGroup, AdminGetCustomerGroupParams and createLinkBody), as TypeBox.
 */
import { Type } from "typebox";
import { UNIQUE_TEXT_MAX_LENGTH } from "../../customers/limits.js";

const metadata = Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]));

const name = Type.String({ maxLength: UNIQUE_TEXT_MAX_LENGTH });

export const AdminCreateCustomerGroup = Type.Object({ name, metadata }, { additionalProperties: false });

/** `name` may be left out but not set to null. */
export const AdminUpdateCustomerGroup = Type.Object({ name: Type.Optional(name), metadata }, { additionalProperties: false });

export const AdminGetCustomerGroupParams = Type.Object({ fields: Type.Optional(Type.String()) }, { additionalProperties: false });

export const CustomerGroupIdParams = Type.Object({ id: Type.String() });

/** Medusa's createLinkBody(), used by both membership routes; `{}` does nothing. */
export const LinkBody = Type.Object(
  { add: Type.Optional(Type.Array(Type.String())), remove: Type.Optional(Type.Array(Type.String())) },
  { additionalProperties: false },
);

/** Medusa's searchable group column. */
export const GROUP_SEARCH_FIELDS = ["name"] as const;

export const GROUP_ORDER_FIELDS = ["id", "name", "created_by", "created_at", "updated_at"] as const;
