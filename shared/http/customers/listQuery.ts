/** GET /admin/customers's validated query as a read-model list query. */
import type { Static } from "typebox";
import type { Filter } from "../../readmodel/filter.js";
import type { CustomerListQuery } from "../../readmodel/port.js";
import { allOf, operatorFilter, parseOrder, searchFilter, valueFilter } from "../listFilters.js";
import type { AdminCustomersParams } from "./listSchemas.js";

type Params = Static<typeof AdminCustomersParams>;
type FilterFields = Omit<Params, "fields" | "offset" | "limit" | "order" | "with_deleted" | "$and" | "$or">;

/** Medusa's searchable customer columns. */
export const CUSTOMER_SEARCH_FIELDS = ["company_name", "first_name", "last_name", "email", "phone"] as const;

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

const DATE_FIELDS = ["created_at", "updated_at", "deleted_at"] as const;

function fieldsFilter(fields: FilterFields): Filter {
  const parts: Filter[] = [];
  if (fields.q !== undefined) parts.push(searchFilter(fields.q, CUSTOMER_SEARCH_FIELDS));
  if (fields.id !== undefined) {
    parts.push(typeof fields.id === "string" || Array.isArray(fields.id) ? valueFilter("id", fields.id) : operatorFilter("id", fields.id));
  }
  for (const field of ["email", "company_name", "first_name", "last_name", "created_by"] as const) {
    const value = fields[field];
    if (value !== undefined) parts.push(valueFilter(field, value));
  }
  if (fields.has_account !== undefined) parts.push(valueFilter("has_account", fields.has_account as unknown as boolean));
  for (const field of DATE_FIELDS) {
    const operators = fields[field];
    if (operators !== undefined) parts.push(operatorFilter(field, operators, true));
  }
  const groups = fields.groups;
  if (groups !== undefined) {
    if (typeof groups === "string" || Array.isArray(groups)) parts.push(valueFilter("groups.id", groups));
    else {
      if (groups.id !== undefined) parts.push(valueFilter("groups.id", groups.id));
      if (groups.name !== undefined) parts.push(valueFilter("groups.name", groups.name));
      for (const field of DATE_FIELDS) {
        const operators = groups[field];
        if (operators !== undefined) parts.push(operatorFilter(`groups.${field}`, operators, true));
      }
    }
  }
  return allOf(parts);
}

export function customerListQuery(params: Params): CustomerListQuery & { offset: number; limit: number } {
  const { fields: _fields, offset = 0, limit = 50, order, with_deleted: _withDeleted, $and, $or, ...filters } = params;
  const parts = [fieldsFilter(filters)];
  if ($and && $and.length > 0) parts.push({ $and: $and.map(fieldsFilter) });
  if ($or && $or.length > 0) parts.push({ $or: $or.map(fieldsFilter) });
  return { filter: allOf(parts), sort: parseOrder(order, CUSTOMER_ORDER_FIELDS), skip: offset, limit, offset };
}
