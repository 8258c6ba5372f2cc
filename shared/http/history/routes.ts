/**
 * `GET /admin/customers/:id/history` and `GET /admin/customer-groups/:id/history`: every
 * change of a customer or a group, newest first, from the event store (so deleted ones keep
 * theirs). Medusa has no such routes; they follow its list conventions (`fields`, `offset`,
 * `limit`, `order`, operator maps).
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Static } from "typebox";
import type { EntityHistory, HistoryPage, HistoryRange } from "../../application/history.js";
import { CustomerGroupIdParams } from "../customerGroups/schemas.js";
import { CustomerIdParams } from "../customers/schemas.js";
import { MedusaError } from "../errors.js";
import { parseFields, shapeEntity } from "../fields.js";
import { parseOrder } from "../listFilters.js";
import { routeDocumentation } from "../openapi.js";
import { HistoryAnswer } from "../responseSchemas.js";
import { HISTORY_ORDER_FIELDS, HistoryParams } from "./schemas.js";

export interface HistoryRoutesOptions {
  history: EntityHistory;
}

/** Every field of an entry, in the order answers list them. */
export const HISTORY_ENTRY_COLUMNS = [
  "id",
  "revision",
  "type",
  "occurred_at",
  "created_by",
  "changes",
  "actor_type",
  "recorded_at",
  "correlation_id",
  "causation_id",
  "schema_version",
] as const;

/** What an entry shows when `fields` does not say. */
export const DEFAULT_HISTORY_ENTRY_FIELDS = ["id", "revision", "type", "occurred_at", "created_by", "changes"] as const;

const DEFAULT_LIMIT = 50;

type Query = Static<typeof HistoryParams>;

function rangeOf(query: Query): HistoryRange & { offset: number; limit: number } {
  const { offset = 0, limit = DEFAULT_LIMIT, order, revision = {} } = query;
  const { direction } = order ? parseOrder(order, HISTORY_ORDER_FIELDS) : { direction: -1 };
  const from = Math.max(revision.$gte ?? 0, revision.$gt === undefined ? 0 : revision.$gt + 1);
  const to = Math.min(revision.$lte ?? Infinity, revision.$lt === undefined ? Infinity : revision.$lt - 1);
  return { offset, limit, order: direction === 1 ? "ascending" : "descending", from, ...(Number.isFinite(to) && { to }) };
}

function answer(page: HistoryPage, query: Query, range: { offset: number; limit: number }) {
  const selection = parseFields(query.fields, DEFAULT_HISTORY_ENTRY_FIELDS);
  return {
    history: page.entries.map((entry) => shapeEntity(entry as unknown as Record<string, unknown>, selection, HISTORY_ENTRY_COLUMNS, {})),
    count: page.count,
    offset: range.offset,
    limit: range.limit,
  };
}

export const historyRoutes: FastifyPluginAsyncTypebox<HistoryRoutesOptions> = async (app, { history }) => {
  app.get(
    "/admin/customers/:id/history",
    {
      schema: { params: CustomerIdParams, querystring: HistoryParams, ...routeDocumentation("Customers")("A customer's history", HistoryAnswer) },
    },
    async (request) => {
      const range = rangeOf(request.query);
      const page = await history.customer(request.params.id, range);
      if (!page) throw new MedusaError("not_found", `Customer with id: ${request.params.id} not found`);
      return answer(page, request.query, range);
    },
  );

  app.get(
    "/admin/customer-groups/:id/history",
    {
      schema: { params: CustomerGroupIdParams, querystring: HistoryParams, ...routeDocumentation("Customer groups")("A customer group's history", HistoryAnswer) },
    },
    async (request) => {
      const range = rangeOf(request.query);
      const page = await history.group(request.params.id, range);
      if (!page) throw new MedusaError("not_found", `Customer group with id: ${request.params.id} not found`);
      return answer(page, request.query, range);
    },
  );
};
