/**
 * The read model's query: the few conditions the list routes need, as a typed tree. The
 * in-memory adapter evaluates it here (matchesQuery); the MongoDB adapter translates it into
 * a filter document (toMongoFilter). Both follow MongoDB's semantics, so they answer a query
 * the same way: a dotted path reaches into arrays (any element may match); `eq null` matches
 * a missing field; ranges compare values of the same kind only. Ordering is the exception: it
 * puts missing values where Medusa's PostgreSQL does (compareDocuments), not where MongoDB does.
 * Patterns are RE2 syntax, checked before they get here (pattern.ts). A search (`q`) is a
 * case-insensitive substring of any of its fields: the same as a literal pattern on each, named
 * so that a read model with a substring index can use it.
 */
import { compiledPattern } from "./pattern.js";

export type Value = string | number | boolean | null;

export type Condition =
  | { op: "eq" | "ne"; field: string; value: Value }
  | { op: "in" | "nin"; field: string; values: Value[] }
  | { op: "gt" | "gte" | "lt" | "lte"; field: string; value: string | number }
  | { op: "regex"; field: string; pattern: string; ignoreCase: boolean };

/** `text` anywhere in any of `fields`, ignoring case (as a case-insensitive literal `regex` on each). */
export interface Search {
  op: "search";
  fields: readonly string[];
  text: string;
}

export type Query = Condition | Search | { op: "and" | "or"; of: Query[] };

export interface Sort {
  field: string;
  direction: 1 | -1;
}

/** Builds queries: `where.eq("email", "a@b.c")`, `where.and(...)`. */
export const where = {
  eq: (field: string, value: Value): Query => ({ op: "eq", field, value }),
  ne: (field: string, value: Value): Query => ({ op: "ne", field, value }),
  in: (field: string, values: Value[]): Query => ({ op: "in", field, values }),
  nin: (field: string, values: Value[]): Query => ({ op: "nin", field, values }),
  range: (field: string, op: "gt" | "gte" | "lt" | "lte", value: string | number): Query => ({ op, field, value }),
  regex: (field: string, pattern: string, ignoreCase = false): Query => ({ op: "regex", field, pattern, ignoreCase }),
  /** Every part holds; with no parts, everything matches. Parts that match everything are dropped. */
  and: (...parts: Query[]): Query => {
    const kept = parts.filter((part) => !matchesEverything(part));
    return kept.length === 1 ? kept[0]! : { op: "and", of: kept };
  },
  or: (...parts: Query[]): Query => ({ op: "or", of: parts }),
  search: (fields: readonly string[], text: string): Query => ({ op: "search", fields, text }),
};

/** `text` as a pattern that matches exactly it. */
export const literalPattern = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The search as the patterns it stands for, one per field. */
export const searchAsPatterns = ({ fields, text }: Search): Query => ({ op: "or", of: fields.map((field) => where.regex(field, literalPattern(text), true)) });

/** The query that matches every document. */
export const EVERYTHING: Query = { op: "and", of: [] };

export const matchesEverything = (query: Query): boolean => query.op === "and" && query.of.every(matchesEverything);

/** The values at a dotted path; an array along the way yields each of its elements' values. */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(value) ? [value, ...value] : [value];
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path));
  if (value === null || typeof value !== "object") return [undefined];
  const [head, ...rest] = path;
  return valuesAt((value as Record<string, unknown>)[head!], rest);
}

function equals(a: unknown, b: Value): boolean {
  if (b === null) return a === null || a === undefined;
  return a === b;
}

/** MongoDB compares values of the same kind only; a string never is greater than a number. */
function comparable(a: unknown, b: unknown): boolean {
  return a !== null && a !== undefined && typeof a === typeof b;
}

const COMPARE: Record<"gt" | "gte" | "lt" | "lte", (a: string, b: string) => boolean> = {
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
};

export function matchesQuery(document: unknown, query: Query): boolean {
  switch (query.op) {
    case "and":
      return query.of.every((part) => matchesQuery(document, part));
    case "or":
      return query.of.some((part) => matchesQuery(document, part));
    case "search":
      return matchesQuery(document, searchAsPatterns(query));
  }
  const values = valuesAt(document, query.field.split("."));
  switch (query.op) {
    case "eq":
      return values.some((value) => equals(value, query.value));
    case "ne":
      return !values.some((value) => equals(value, query.value));
    case "in":
      return query.values.some((item) => values.some((value) => equals(value, item)));
    case "nin":
      return !query.values.some((item) => values.some((value) => equals(value, item)));
    case "regex": {
      const pattern = compiledPattern(query.pattern, query.ignoreCase);
      return values.some((value) => typeof value === "string" && pattern.test(value));
    }
    default: {
      const { op, value: operand } = query;
      return values.some((value) => comparable(value, operand) && COMPARE[op](value as string, operand as string));
    }
  }
}

/**
 * The query as a MongoDB filter document. `storedField` renames fields as the collection
 * stores them (`id` is `_id`).
 */
export function toMongoFilter(query: Query, storedField: (field: string) => string = (field) => field): Record<string, unknown> {
  switch (query.op) {
    case "and":
      return query.of.length === 0 ? {} : { $and: query.of.map((part) => toMongoFilter(part, storedField)) };
    case "or":
      // MongoDB refuses an empty $or; an empty "any of" matches nothing.
      return query.of.length === 0 ? { _id: { $in: [] } } : { $or: query.of.map((part) => toMongoFilter(part, storedField)) };
    case "search":
      return toMongoFilter(searchAsPatterns(query), storedField);
    case "regex":
      return { [storedField(query.field)]: query.ignoreCase ? { $regex: query.pattern, $options: "i" } : { $regex: query.pattern } };
    case "in":
    case "nin":
      return { [storedField(query.field)]: { [`$${query.op}`]: query.values } };
    case "eq":
      return { [storedField(query.field)]: query.value };
    default:
      return { [storedField(query.field)]: { [`$${query.op}`]: query.value } };
  }
}

/**
 * The order of one field, then by id ascending. Values compare as in MongoDB (numbers before
 * text); null and missing come after every value, so last when ascending and first when
 * descending: PostgreSQL's default (NULLS LAST for ASC, NULLS FIRST for DESC), which is what
 * Medusa's lists answer.
 */
export function compareDocuments<T extends object>(sort: Sort): (a: T, b: T) => number {
  const MISSING = 3;
  const rank = (value: unknown) => (value === null || value === undefined ? MISSING : typeof value === "number" ? 0 : typeof value === "string" ? 1 : 2);
  const compare = (x: unknown, y: unknown): number => {
    const byRank = rank(x) - rank(y);
    if (byRank !== 0) return byRank;
    if (x === y || rank(x) === MISSING) return 0;
    if (typeof x === "boolean") return Number(x) - Number(y);
    return (x as string) < (y as string) ? -1 : 1;
  };
  const field = (document: T, name: string) => (document as Record<string, unknown>)[name];
  return (a, b) => compare(field(a, sort.field), field(b, sort.field)) * sort.direction || compare(field(a, "id"), field(b, "id"));
}
