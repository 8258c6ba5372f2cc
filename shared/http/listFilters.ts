/**
 * Turns Medusa's list query parameters into the read model's query (shared/readmodel/query.ts):
 * plain values are exact matches, lists are "in", operator maps keep their meaning, `q` is a
 * case-insensitive substring search over the searchable fields. Shared by every list route.
 */
import { type Query, type Value, literalPattern, where } from "../readmodel/query.js";
import { InvalidPattern, MAX_PATTERN_LENGTH, checkPattern } from "../readmodel/pattern.js";
import { MedusaError } from "./errors.js";

type OperatorMap = Partial<Record<"$eq" | "$ne" | "$in" | "$nin" | "$like" | "$ilike" | "$re" | "$contains" | "$gt" | "$gte" | "$lt" | "$lte", string | string[]>>;

/**
 * SQL LIKE (`%` any run, `_` one character) as an anchored regular expression; a run of `%`
 * is one `.*`. The read models match it in linear time (pattern.ts).
 */
function likeToRegex(field: string, pattern: string): string {
  if (pattern.length > MAX_PATTERN_LENGTH) throw invalidPattern(field, `it is longer than ${MAX_PATTERN_LENGTH} characters`);
  let out = "";
  for (const character of pattern) {
    if (character === "%") out += out.endsWith(".*") ? "" : ".*";
    else out += character === "_" ? "." : literalPattern(character);
  }
  return `^${out}$`;
}

/** A client's regular expression, refused with the reason when the read models cannot run it. */
function clientPattern(field: string, pattern: string): string {
  try {
    checkPattern(pattern);
  } catch (error) {
    if (error instanceof InvalidPattern) throw invalidPattern(field, error.message);
    throw error;
  }
  return pattern;
}

const invalidPattern = (field: string, reason: string) =>
  new MedusaError("invalid_data", `Invalid request: the pattern for field '${field}' cannot be used (${reason})`);

export function searchFilter(q: string, fields: readonly string[]): Query {
  return where.search(fields, q);
}

/** A plain value or list for one field. */
export function valueFilter(field: string, value: string | string[] | boolean): Query {
  return Array.isArray(value) ? where.in(field, value) : where.eq(field, value);
}

/** Dates are compared as instants, written the way documents store them (ISO 8601, UTC, ms). */
function normalise(field: string, value: string, isDate: boolean): string {
  if (!isDate) return value;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw new MedusaError("invalid_data", `Invalid request: '${value}' is not a date for field '${field}'`);
  return instant.toISOString();
}

export function operatorFilter(field: string, operators: OperatorMap, isDate = false): Query {
  const conditions: Query[] = [];
  const one = (value: string) => normalise(field, value, isDate);
  for (const [operator, raw] of Object.entries(operators)) {
    if (raw === undefined) continue;
    const list: Value[] = Array.isArray(raw) ? raw.map(one) : [one(raw)];
    const single = !Array.isArray(raw);
    switch (operator) {
      case "$eq":
        conditions.push(single ? where.eq(field, list[0]!) : where.in(field, list));
        break;
      case "$ne":
        conditions.push(single ? where.ne(field, list[0]!) : where.nin(field, list));
        break;
      case "$in":
        conditions.push(where.in(field, list));
        break;
      case "$nin":
        conditions.push(where.nin(field, list));
        break;
      case "$gt":
      case "$gte":
      case "$lt":
      case "$lte":
        conditions.push(where.range(field, operator.slice(1) as "gt" | "gte" | "lt" | "lte", list[0] as string));
        break;
      case "$like":
        conditions.push(where.regex(field, likeToRegex(field, String(raw))));
        break;
      case "$ilike":
        conditions.push(where.regex(field, likeToRegex(field, String(raw)), true));
        break;
      case "$contains":
        conditions.push(where.regex(field, literalPattern(String(raw))));
        break;
      case "$re":
        conditions.push(where.regex(field, clientPattern(field, String(raw))));
        break;
    }
  }
  return conditions.length === 1 ? conditions[0]! : { op: "and", of: conditions };
}

const DATE_FIELDS = ["created_at", "updated_at", "deleted_at"] as const;

/** The operator maps a list offers on the timestamps, each compared as instants. */
export function dateFilters(source: Partial<Record<(typeof DATE_FIELDS)[number], OperatorMap>>): Query[] {
  return DATE_FIELDS.filter((field) => source[field] !== undefined).map((field) => operatorFilter(field, source[field]!, true));
}

/** A list's own filter fields, and `$and` / `$or` of more of them, as one query. */
export async function withAndOr<Fields>(
  fields: Fields,
  logic: { $and?: Fields[]; $or?: Fields[] },
  toQuery: (fields: Fields) => Promise<Query>,
): Promise<Query> {
  const parts = [await toQuery(fields)];
  if (logic.$and && logic.$and.length > 0) parts.push(where.and(...(await Promise.all(logic.$and.map(toQuery)))));
  if (logic.$or && logic.$or.length > 0) parts.push(where.or(...(await Promise.all(logic.$or.map(toQuery)))));
  return where.and(...parts);
}

/** `order=field` or `order=-field`, against the fields a list may be ordered by. */
/**
 * What `order` takes, as a pattern for the OpenAPI document (the check itself is parseOrder):
 * nothing, or one of `allowed`, with `-` before it for descending.
 */
export function orderSchema(allowed: readonly string[]): { pattern: string } {
  return { pattern: `^(-?(${allowed.join("|")}))?$` };
}

export function parseOrder(order: string | undefined, allowed: readonly string[]): { field: string; direction: 1 | -1 } {
  if (order === undefined || order === "") return { field: "id", direction: 1 };
  const descending = order.startsWith("-");
  const field = descending ? order.slice(1) : order;
  if (!allowed.includes(field)) throw new MedusaError("invalid_data", `Order field ${field} is not valid`);
  return { field, direction: descending ? -1 : 1 };
}
