/**
 * Query schemas of GET /admin/customers: Medusa's AdminCustomersParams (createFindParams,
 * the customer filters, and `$and` / `$or` of those filters), keys in zod's order.
 */
import { Type } from "typebox";
import { orderSchema } from "../listFilters.js";
import { Limit, Offset } from "../pagination.js";

const text = Type.String();
const textOrList = Type.Union([Type.String(), Type.Array(Type.String())]);

/** Medusa's createOperatorMap(): every operator optional, every value text (lists for the set operators). */
export const OperatorMap = Type.Object(
  {
    $eq: Type.Optional(textOrList),
    $ne: Type.Optional(textOrList),
    $in: Type.Optional(Type.Array(Type.String())),
    $nin: Type.Optional(Type.Array(Type.String())),
    $like: Type.Optional(text),
    $ilike: Type.Optional(text),
    $re: Type.Optional(text),
    $contains: Type.Optional(text),
    $gt: Type.Optional(text),
    $gte: Type.Optional(text),
    $lt: Type.Optional(text),
    $lte: Type.Optional(text),
  },
  { additionalProperties: false },
);

const textListOrOperators = Type.Union([Type.String(), Type.Array(Type.String()), OperatorMap]);
const booleanString = Type.Union([Type.Boolean(), Type.String()], { "x-boolean-string": true });

const GroupsFilter = Type.Union([
  Type.String(),
  Type.Array(Type.String()),
  Type.Object(
    {
      id: Type.Optional(textOrList),
      name: Type.Optional(textOrList),
      created_at: Type.Optional(OperatorMap),
      updated_at: Type.Optional(OperatorMap),
      deleted_at: Type.Optional(OperatorMap),
    },
    { additionalProperties: false },
  ),
]);

export const customerFilterProperties = {
  q: Type.Optional(text),
  id: Type.Optional(textListOrOperators),
  email: Type.Optional(textOrList),
  groups: Type.Optional(GroupsFilter),
  company_name: Type.Optional(textOrList),
  first_name: Type.Optional(textOrList),
  last_name: Type.Optional(textOrList),
  created_by: Type.Optional(textOrList),
  has_account: Type.Optional(booleanString),
  created_at: Type.Optional(OperatorMap),
  updated_at: Type.Optional(OperatorMap),
  deleted_at: Type.Optional(OperatorMap),
};

const CustomerFilterFields = Type.Object(customerFilterProperties, { additionalProperties: false });

export const CUSTOMER_ORDER_FIELDS = [
  "id",
  "email",
  "company_name",
  "first_name",
  "last_name",
  "phone",
  "has_account",
  "created_by",
  "created_at",
  "updated_at",
] as const;

export const AdminCustomersParams = Type.Object(
  {
    fields: Type.Optional(text),
    offset: Type.Optional(Offset),
    limit: Type.Optional(Limit),
    order: Type.Optional(Type.String(orderSchema(CUSTOMER_ORDER_FIELDS))),
    with_deleted: Type.Optional(booleanString),
    ...customerFilterProperties,
    $and: Type.Optional(Type.Array(CustomerFilterFields)),
    $or: Type.Optional(Type.Array(CustomerFilterFields)),
  },
  { additionalProperties: false },
);
