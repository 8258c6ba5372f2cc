/**
 * The read model's typed query (query.ts) as SQL over documents kept as JSON text in SQLite,
 * with MongoDB's semantics, as the other adapters have them: `eq null` matches a missing
 * field; `ne` and `nin` match it too; ranges compare values of the same kind only; a path
 * through an array field matches when any element does; patterns run in RE2 (a function
 * the read model registers, `re2_match`). Field reads are `json_extract(body, '$.field')`,
 * written exactly as the indexes are, so SQLite uses them.
 */
import { foldCase } from "./caseFold.js";
import { type Condition, type Query, type Search, type Sort, type Value, searchAsPatterns } from "./query.js";

export interface SqlCondition {
  sql: string;
  params: SqlValue[];
}

export type SqlValue = string | number | null;

/** What a collection tells the translation about its documents. */
export interface DocumentShape {
  /** Fields whose value is an array (`group_ids`, `addresses`): a path through one matches any element. */
  arrayFields: readonly string[];
  /**
   * Where there is one, an FTS5 table of trigrams over some text fields, folded by foldCase
   * (rowid = the document's rowid).
   */
  substringIndex?: { table: string; fields: readonly string[] };
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `json_extract(body, '$.field')`, the expression every index of the read model is built on. */
export function fieldExpression(field: string, source = "body"): string {
  if (field === "id") return "id";
  return `json_extract(${source}, '$.${checkedField(field)}')`;
}

function checkedField(field: string): string {
  // Field names come from the code's own queries; anything else would be a bug, not input.
  if (!FIELD.test(field)) throw new Error(`Not a field the read model can query: ${JSON.stringify(field)}`);
  return field;
}

/** SQLite has no booleans: JSON's true and false come back as 1 and 0. */
const sqlValue = (value: Value): SqlValue => (typeof value === "boolean" ? Number(value) : value);

export function toSqlCondition(query: Query, shape: DocumentShape): SqlCondition {
  switch (query.op) {
    case "and":
    case "or": {
      if (query.of.length === 0) return { sql: query.op === "and" ? "1" : "0", params: [] };
      const parts = query.of.map((part) => toSqlCondition(part, shape));
      return { sql: `(${parts.map((part) => part.sql).join(query.op === "and" ? " AND " : " OR ")})`, params: parts.flatMap((part) => part.params) };
    }
    case "search":
      return searchCondition(query, shape);
  }
  const [head, ...rest] = query.field.split(".");
  if (head !== undefined && shape.arrayFields.includes(head)) {
    // Any element: EXISTS over the array; "not" conditions hold when no element matches.
    const element = rest.length === 0 ? "element.value" : `json_extract(element.value, '$.${rest.map(checkedField).join(".")}')`;
    const negated = query.op === "ne" || query.op === "nin";
    const positive = negated ? { ...query, op: query.op === "ne" ? "eq" : "in" } : query;
    const inner = scalarCondition(positive as Condition, element);
    const exists = `EXISTS (SELECT 1 FROM json_each(body, '$.${checkedField(head)}') AS element WHERE ${inner.sql})`;
    return { sql: negated ? `NOT ${exists}` : exists, params: inner.params };
  }
  if (rest.length > 0) throw new Error(`Not a field the read model can query: ${JSON.stringify(query.field)}`);
  return scalarCondition(query, fieldExpression(query.field));
}

function scalarCondition(query: Condition, value: string): SqlCondition {
  switch (query.op) {
    case "eq":
      return query.value === null ? { sql: `${value} IS NULL`, params: [] } : { sql: `${value} = ?`, params: [sqlValue(query.value)] };
    case "ne":
      return query.value === null ? { sql: `${value} IS NOT NULL`, params: [] } : { sql: `(${value} IS NULL OR ${value} != ?)`, params: [sqlValue(query.value)] };
    case "in":
    case "nin": {
      const present = query.values.filter((item) => item !== null).map(sqlValue);
      const withNull = present.length < query.values.length;
      const listed = present.length === 0 ? "0" : `${value} IN (${present.map(() => "?").join(", ")})`;
      const matches = withNull ? `(${value} IS NULL OR ${listed})` : listed;
      if (query.op === "in") return { sql: `(${matches})`, params: present };
      // Not in the list, missing included unless null is listed.
      return { sql: withNull ? `NOT (${matches})` : `(${value} IS NULL OR NOT (${listed}))`, params: present };
    }
    case "regex":
      return { sql: `(typeof(${value}) = 'text' AND re2_match(?, ?, ${value}))`, params: [query.pattern, query.ignoreCase ? 1 : 0] };
    default: {
      const operator = { gt: ">", gte: ">=", lt: "<", lte: "<=" }[query.op];
      const kind = typeof query.value === "number" ? "IN ('integer', 'real')" : "= 'text'";
      return { sql: `(typeof(${value}) ${kind} AND ${value} ${operator} ?)`, params: [query.value] };
    }
  }
}

/** Trigrams: a search for fewer characters finds nothing in the index and has to scan. */
const SHORTEST_INDEXED_SEARCH = 3;

/**
 * A search reads its candidates from the substring index (folded text holds folded text
 * exactly when the pattern matches, caseFold.ts), then checks each with the patterns the
 * search stands for (query.ts), which keeps the two ways of answering one. Without an index
 * over every searched field, or for a text too short for trigrams, the patterns alone (a scan).
 */
function searchCondition(query: Search, shape: DocumentShape): SqlCondition {
  const exact = toSqlCondition(searchAsPatterns(query), shape);
  const index = shape.substringIndex;
  if (!index || [...query.text].length < SHORTEST_INDEXED_SEARCH || !query.fields.every((field) => index.fields.includes(field))) return exact;
  // FTS5's query syntax: a column filter, then the text as one quoted string (quotes doubled).
  const match = `{${query.fields.map(checkedField).join(" ")}} : "${foldCase(query.text).replaceAll('"', '""')}"`;
  return { sql: `(rowid IN (SELECT rowid FROM ${index.table} WHERE ${index.table} MATCH ?) AND ${exact.sql})`, params: [match, ...exact.params] };
}

/** MongoDB's order: null and missing first when ascending (as SQLite's NULLs), ties by id. */
export function toSqlOrder(sort: Sort): string {
  const direction = sort.direction === 1 ? "ASC" : "DESC";
  return sort.field === "id" ? `id ${direction}` : `${fieldExpression(sort.field)} ${direction}, id ASC`;
}
