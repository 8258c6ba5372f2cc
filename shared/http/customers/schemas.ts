/**
 * Request schemas of the customer routes (Medusa's AdminCreateCustomer and
 * AdminCustomerParams), as TypeBox. They drive validation and the OpenAPI document.
 */
import { Type } from "typebox";
import { UNIQUE_TEXT_MAX_LENGTH } from "../../customers/limits.js";

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

/** The query of a route of this service's own (no Medusa counterpart to match): nothing. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

export const AdminCustomerParams = Type.Object({ fields: Type.Optional(Type.String()) }, { additionalProperties: false });

export const CustomerIdParams = Type.Object({ id: Type.String() });
