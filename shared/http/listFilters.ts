/**
 * Turns Medusa's list query parameters into the read model's filter language
 * (shared/readmodel/filter.ts): plain values are exact matches, lists are `$in`, operator
 * maps keep their meaning, `q` is a case-insensitive substring search over the searchable
 * fields. Shared by every list route.
 */
import type { Filter } from "../readmodel/filter.js";
import { InvalidPattern, MAX_PATTERN_LENGTH, checkPattern } from "../readmodel/pattern.js";
import { MedusaError } from "./errors.js";

type OperatorMap = Partial<Record<"$eq" | "$ne" | "$in" | "$nin" | "$like" | "$ilike" | "$re" | "$contains" | "$gt" | "$gte" | "$lt" | "$lte", string | string[]>>;

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * SQL LIKE (`%` any run, `_` one character) as an anchored regular expression; a run of `%`
 * is one `.*`. The read models match it in linear time (pattern.ts).
 */
function likeToRegex(field: string, pattern: string): string {
  if (pattern.length > MAX_PATTERN_LENGTH) throw invalidPattern(field, `it is longer than ${MAX_PATTERN_LENGTH} characters`);
  let out = "";
  for (const character of pattern) {
    if (character === "%") out += out.endsWith(".*") ? "" : ".*";
    else out += character === "_" ? "." : escapeRegex(character);
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

export function searchFilter(q: string, fields: readonly string[]): Filter {
  return { $or: fields.map((field) => ({ [field]: { $regex: escapeRegex(q), $options: "i" } })) };
}

/** A plain value or list for one field. */
export function valueFilter(field: string, value: string | string[] | boolean): Filter {
  return { [field]: Array.isArray(value) ? { $in: value } : value };
}

/** Dates are compared as instants, written the way documents store them (ISO 8601, UTC, ms). */
function normalise(field: string, value: string, isDate: boolean): string {
  if (!isDate) return value;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw new MedusaError("invalid_data", `Invalid request: '${value}' is not a date for field '${field}'`);
  return instant.toISOString();
}

export function operatorFilter(field: string, operators: OperatorMap, isDate = false): Filter {
  const conditions: Filter[] = [];
  const one = (value: string) => normalise(field, value, isDate);
  for (const [operator, raw] of Object.entries(operators)) {
    if (raw === undefined) continue;
    const list = Array.isArray(raw) ? raw.map(one) : [one(raw)];
    switch (operator) {
      case "$eq":
        conditions.push({ [field]: list.length === 1 && !Array.isArray(raw) ? list[0] : { $in: list } });
        break;
      case "$ne":
        conditions.push({ [field]: list.length === 1 && !Array.isArray(raw) ? { $ne: list[0] } : { $nin: list } });
        break;
      case "$in":
      case "$nin":
        conditions.push({ [field]: { [operator]: list } });
        break;
      case "$gt":
      case "$gte":
      case "$lt":
      case "$lte":
        conditions.push({ [field]: { [operator]: list[0] } });
        break;
      case "$like":
        conditions.push({ [field]: { $regex: likeToRegex(field, String(raw)) } });
        break;
      case "$ilike":
        conditions.push({ [field]: { $regex: likeToRegex(field, String(raw)), $options: "i" } });
        break;
      case "$contains":
        conditions.push({ [field]: { $regex: escapeRegex(String(raw)) } });
        break;
      case "$re":
        conditions.push({ [field]: { $regex: clientPattern(field, String(raw)) } });
        break;
    }
  }
  return conditions.length === 1 ? conditions[0]! : { $and: conditions };
}

const DATE_FIELDS = ["created_at", "updated_at", "deleted_at"] as const;

/** The operator maps a list offers on the timestamps, each compared as instants. */
export function dateFilters(source: Partial<Record<(typeof DATE_FIELDS)[number], OperatorMap>>): Filter[] {
  return DATE_FIELDS.filter((field) => source[field] !== undefined).map((field) => operatorFilter(field, source[field]!, true));
}

/** A list's own filter fields, and `$and` / `$or` of more of them, as one filter. */
export async function withAndOr<Fields>(
  fields: Fields,
  logic: { $and?: Fields[]; $or?: Fields[] },
  toFilter: (fields: Fields) => Promise<Filter>,
): Promise<Filter> {
  const parts = [await toFilter(fields)];
  if (logic.$and && logic.$and.length > 0) parts.push({ $and: await Promise.all(logic.$and.map(toFilter)) });
  if (logic.$or && logic.$or.length > 0) parts.push({ $or: await Promise.all(logic.$or.map(toFilter)) });
  return allOf(parts);
}

export function allOf(filters: Filter[]): Filter {
  const parts = filters.filter((filter) => Object.keys(filter).length > 0);
  return parts.length === 0 ? {} : parts.length === 1 ? parts[0]! : { $and: parts };
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
