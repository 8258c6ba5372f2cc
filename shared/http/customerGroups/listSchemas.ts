/**
 * Query schema of GET /admin/customer-groups: Medusa's AdminGetCustomerGroupsParams
 * (createFindParams, the group filters with the `customers` filter, and `$and` / `$or`).
 */
import { Type } from "typebox";
import { orderSchema } from "../listFilters.js";
import { Limit, Offset } from "../pagination.js";
import { GROUP_ORDER_FIELDS } from "./schemas.js";
import { OperatorMap } from "../customers/listSchemas.js";

const text = Type.String();
const textOrList = Type.Union([Type.String(), Type.Array(Type.String())]);
const textListOrOperators = Type.Union([Type.String(), Type.Array(Type.String()), OperatorMap]);

/** Medusa's AdminCustomerInGroupFilters. */
export const CustomerInGroupFilters = Type.Object(
  {
    id: Type.Optional(textOrList),
    email: Type.Optional(textListOrOperators),
    default_billing_address_id: Type.Optional(textOrList),
    default_shipping_address_id: Type.Optional(textOrList),
    company_name: Type.Optional(textOrList),
    first_name: Type.Optional(textOrList),
    last_name: Type.Optional(textOrList),
    created_by: Type.Optional(textOrList),
    created_at: Type.Optional(OperatorMap),
    updated_at: Type.Optional(OperatorMap),
    deleted_at: Type.Optional(OperatorMap),
  },
  { additionalProperties: false },
);

export const groupFilterProperties = {
  q: Type.Optional(text),
  id: Type.Optional(textOrList),
  name: Type.Optional(textOrList),
  customers: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String()), CustomerInGroupFilters])),
  created_by: Type.Optional(textOrList),
  created_at: Type.Optional(OperatorMap),
  updated_at: Type.Optional(OperatorMap),
  deleted_at: Type.Optional(OperatorMap),
};

const GroupFilterFields = Type.Object(groupFilterProperties, { additionalProperties: false });

export const AdminGetCustomerGroupsParams = Type.Object(
  {
    fields: Type.Optional(text),
    offset: Type.Optional(Offset),
    limit: Type.Optional(Limit),
    order: Type.Optional(Type.String(orderSchema(GROUP_ORDER_FIELDS))),
    with_deleted: Type.Optional(Type.Union([Type.Boolean(), Type.String()], { "x-boolean-string": true })),
    ...groupFilterProperties,
    $and: Type.Optional(Type.Array(GroupFilterFields)),
    $or: Type.Optional(Type.Array(GroupFilterFields)),
  },
  { additionalProperties: false },
);
