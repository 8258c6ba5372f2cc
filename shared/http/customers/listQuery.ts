/** GET /admin/customers's validated query as a read-model list query. */
import type { Static } from "typebox";
import { type Query, where } from "../../readmodel/query.js";
import type { ListQuery } from "../../readmodel/port.js";
import { dateFilters, operatorFilter, parseOrder, searchFilter, valueFilter, withAndOr } from "../listFilters.js";
import type { RelatedIds } from "../relatedFilters.js";
import { type AdminCustomersParams, CUSTOMER_ORDER_FIELDS } from "./listSchemas.js";

type Params = Static<typeof AdminCustomersParams>;
type FilterFields = Omit<Params, "fields" | "offset" | "limit" | "order" | "with_deleted" | "$and" | "$or">;

/** Medusa's searchable customer columns. */
export const CUSTOMER_SEARCH_FIELDS = ["company_name", "first_name", "last_name", "email", "phone"] as const;


async function fieldsFilter(fields: FilterFields, related: RelatedIds): Promise<Query> {
  const parts: Query[] = [];
  if (fields.q !== undefined) parts.push(searchFilter(fields.q, CUSTOMER_SEARCH_FIELDS));
  if (fields.id !== undefined) {
    parts.push(typeof fields.id === "string" || Array.isArray(fields.id) ? valueFilter("id", fields.id) : operatorFilter("id", fields.id));
  }
  for (const field of ["email", "company_name", "first_name", "last_name", "created_by"] as const) {
    const value = fields[field];
    if (value !== undefined) parts.push(valueFilter(field, value));
  }
  if (fields.has_account !== undefined) parts.push(valueFilter("has_account", fields.has_account as unknown as boolean));
  parts.push(...dateFilters(fields));
  if (fields.groups !== undefined) parts.push(where.in("group_ids", await related.groups(groupFilter(fields.groups))));
  return where.and(...parts);
}

/** `groups=<id>`, a list of ids, or conditions on the group's own fields. */
function groupFilter(groups: NonNullable<FilterFields["groups"]>): Query {
  if (typeof groups === "string" || Array.isArray(groups)) return valueFilter("id", groups);
  const parts: Query[] = [];
  if (groups.id !== undefined) parts.push(valueFilter("id", groups.id));
  if (groups.name !== undefined) parts.push(valueFilter("name", groups.name));
  return where.and(...parts, ...dateFilters(groups));
}

export async function customerListQuery(params: Params, related: RelatedIds): Promise<ListQuery & { offset: number; limit: number }> {
  const { fields: _fields, offset = 0, limit = 50, order, with_deleted: _withDeleted, $and, $or, ...filters } = params;
  const filter = await withAndOr<FilterFields>(filters, { $and, $or }, (fields) => fieldsFilter(fields, related));
  return { filter, sort: parseOrder(order, CUSTOMER_ORDER_FIELDS), skip: offset, limit, offset };
}
