/** GET /admin/customer-groups's validated query as a read-model list query. */
import type { Static } from "typebox";
import { type Query, where } from "../../readmodel/query.js";
import type { ListQuery } from "../../readmodel/port.js";
import { dateFilters, operatorFilter, parseOrder, searchFilter, valueFilter, withAndOr } from "../listFilters.js";
import type { RelatedIds } from "../relatedFilters.js";
import type { AdminGetCustomerGroupsParams } from "./listSchemas.js";
import { GROUP_ORDER_FIELDS, GROUP_SEARCH_FIELDS } from "./schemas.js";

type Params = Static<typeof AdminGetCustomerGroupsParams>;
type FilterFields = Omit<Params, "fields" | "offset" | "limit" | "order" | "with_deleted" | "$and" | "$or">;

async function fieldsFilter(fields: FilterFields, related: RelatedIds): Promise<Query> {
  const parts: Query[] = [];
  if (fields.q !== undefined) parts.push(searchFilter(fields.q, GROUP_SEARCH_FIELDS));
  for (const field of ["id", "name", "created_by"] as const) {
    const value = fields[field];
    if (value !== undefined) parts.push(valueFilter(field, value));
  }
  parts.push(...dateFilters(fields));
  if (fields.customers !== undefined) parts.push(where.in("id", await related.groupsOfCustomers(customerFilter(fields.customers))));
  return where.and(...parts);
}

/** `customers=<id>`, a list of ids, or conditions on the customer's own fields. */
function customerFilter(customers: NonNullable<FilterFields["customers"]>): Query {
  if (typeof customers === "string" || Array.isArray(customers)) return valueFilter("id", customers);
  const parts: Query[] = [];
  const { email, created_at, updated_at, deleted_at, ...plain } = customers;
  for (const [field, value] of Object.entries(plain)) if (value !== undefined) parts.push(valueFilter(field, value));
  if (email !== undefined) parts.push(typeof email === "string" || Array.isArray(email) ? valueFilter("email", email) : operatorFilter("email", email));
  return where.and(...parts, ...dateFilters({ created_at, updated_at, deleted_at }));
}

export async function customerGroupListQuery(params: Params, related: RelatedIds): Promise<ListQuery & { offset: number; limit: number }> {
  const { fields: _fields, offset = 0, limit = 50, order, with_deleted: _withDeleted, $and, $or, ...filters } = params;
  const filter = await withAndOr<FilterFields>(filters, { $and, $or }, (fields) => fieldsFilter(fields, related));
  return { filter, sort: parseOrder(order, GROUP_ORDER_FIELDS), skip: offset, limit, offset };
}
