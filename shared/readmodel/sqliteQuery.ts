/**
 * The read model's typed query (query.ts) as SQL over documents kept as JSON text in SQLite,
 * with MongoDB's semantics, as the other adapters have them: `eq null` matches a missing
 * field; `ne` and `nin` match it too; ranges compare values of the same kind only; a path
 * through an array field matches when any element does; patterns run in RE2 (a function
 * the read model registers, `re2_match`). Field reads are `json_extract(body, '$.field')`,
 * written exactly as the indexes are, so SQLite uses them.
 */
import type { Condition, Query, Sort, Value } from "./query.js";

export interface SqlCondition {
  sql: string;
  params: SqlValue[];
}

export type SqlValue = string | number | null;

/** What a collection tells the translation about its documents. */
export interface DocumentShape {
  /** Fields whose value is an array (`group_ids`, `addresses`): a path through one matches any element. */
  arrayFields: readonly string[];
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

/** MongoDB's order: null and missing first when ascending (as SQLite's NULLs), ties by id. */
export function toSqlOrder(sort: Sort): string {
  const direction = sort.direction === 1 ? "ASC" : "DESC";
  return sort.field === "id" ? `id ${direction}` : `${fieldExpression(sort.field)} ${direction}, id ASC`;
}
