/**
 * Request schemas of the customer routes (Medusa's AdminCreateCustomer and
 * AdminCustomerParams), as TypeBox. They drive validation and the OpenAPI document.
 */
import { Type } from "typebox";
import { UNIQUE_TEXT_MAX_LENGTH } from "../../customers/limits.js";
import { CUSTOMER_GROUP_COLUMNS } from "../customerGroups/schemas.js";
import { ADDRESS_COLUMNS } from "./addressSchemas.js";

const nullish = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));
const metadata = Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]));

export const AdminCreateCustomer = Type.Object(
  {
    email: nullish(Type.String({ format: "email", maxLength: UNIQUE_TEXT_MAX_LENGTH })),
    company_name: nullish(Type.String()),
    first_name: nullish(Type.String()),
    last_name: nullish(Type.String()),
    phone: nullish(Type.String()),
    metadata,
    // Passed to Medusa's workflow hooks only, never stored; accepted for compatibility.
    additional_data: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: false },
);

/** Medusa's AdminUpdateCustomer is the create schema, field for field. */
export const AdminUpdateCustomer = AdminCreateCustomer;

export const AdminCustomerParams = Type.Object({ fields: Type.Optional(Type.String()) }, { additionalProperties: false });

export const CustomerIdParams = Type.Object({ id: Type.String() });

/** Medusa's defaultAdminCustomerFields (2.21.2), in its order. */
export const DEFAULT_CUSTOMER_FIELDS = [
  "id",
  "company_name",
  "first_name",
  "last_name",
  "email",
  "phone",
  "metadata",
  "has_account",
  "created_by",
  "created_at",
  "updated_at",
  "deleted_at",
] as const;

/** Every column of a customer, as a group's `*customers` shows it (the table's order). */
export const CUSTOMER_COLUMNS = [
  "id",
  "company_name",
  "first_name",
  "last_name",
  "email",
  "phone",
  "has_account",
  "metadata",
  "created_at",
  "updated_at",
  "deleted_at",
  "created_by",
] as const;

/** Every column of a relation as `*relation` shows it, in Medusa's key order. */
export const CUSTOMER_RELATIONS = {
  addresses: ADDRESS_COLUMNS,
  groups: CUSTOMER_GROUP_COLUMNS,
} as const;
