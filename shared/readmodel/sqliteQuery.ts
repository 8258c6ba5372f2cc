/**
 * The read model's typed query (query.ts) as SQL over documents kept as JSON text in SQLite,
 * with MongoDB's semantics, as the other adapters have them: `eq null` matches a missing
 * field; `ne` and `nin` match it too; ranges compare values of the same kind only; a path
 * through an array field matches when any element does; patterns run in RE2 (a function
 * the read model registers, `re2_match`). A field the collection keeps in a column of its own
 * (the fields lists filter and sort on, each indexed) is read from it; any other field is
 * `json_extract(body, '$.field')`, which gives the same value.
 */
import { foldCase } from "./caseFold.js";
import { type Condition, type Query, type Search, type Sort, type Value, searchAsPatterns } from "./query.js";

export interface SqlCondition {
  sql: string;
  params: SqlValue[];
  /**
   * Whether the condition holds only for rows an index lists by rowid (a search's candidates,
   * an array's owners): a query can start from those rows instead of a scan of an ordered index.
   */
  narrows?: boolean;
}

export type SqlValue = string | number | null;

/** What a collection tells the translation about its documents. */
export interface DocumentShape {
  /** The collection's table (a condition may look up rows of other tables by its rowid). */
  table: string;
  /** Fields kept in columns of their own (columnName), as json_extract reads them from the body. */
  columns: readonly string[];
  /** Fields whose value is an array (`group_ids`, `addresses`): a path through one matches any element. */
  arrayFields: readonly string[];
  /**
   * Where there is one, an FTS5 table of trigrams over some text fields, folded by foldCase
   * (rowid = the document's rowid).
   */
  substringIndex?: { table: string; fields: readonly string[] };
  /**
   * Tables of the elements of some array fields of scalars (`group_ids`) of the live
   * documents: one row per element, `(value, owner_id, owner)` with owner_id = the document's
   * id and owner = its rowid, in (value, owner_id) order.
   */
  elementIndexes?: Readonly<Record<string, string>>;
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Where a document's field is read: its column, or `json_extract(body, '$.field')`. */
export function fieldExpression(field: string, shape?: DocumentShape, source = "body"): string {
  if (field === "id") return "id";
  if (shape?.columns.includes(field)) return columnName(field);
  return `json_extract(${source}, '$.${checkedField(field)}')`;
}

/** The column of a field kept in one (prefixed, so no field can be taken for `id`, `live` or `body`). */
export const columnName = (field: string): string => `f_${checkedField(field)}`;

/** A field's value as its column keeps it: as json_extract would read it from the document's JSON. */
export function columnValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return Number(value);
  if (typeof value === "string" || typeof value === "number") return value;
  return JSON.stringify(value);
}

function checkedField(field: string): string {
  // Field names come from the code's own queries; anything else would be a bug, not input.
  if (!FIELD.test(field)) throw new Error(`Not a field the read model can query: ${JSON.stringify(field)}`);
  return field;
}

/** SQLite has no booleans: JSON's true and false come back as 1 and 0. */
const sqlValue = (value: Value): SqlValue => (typeof value === "boolean" ? Number(value) : value);

/**
 * How a condition is to be checked:
 * - "indexes" (the default): through the indexes SQLite can use to find the matching rows
 *   (a field's index, the rows a search or an array's elements list), for a query with few
 *   matches, read and then sorted;
 * - "rows": row by row, every index hidden from SQLite's planner (a unary `+`, which changes no
 *   value), for a query with many matches, which walks the index of its order instead and
 *   stops once the page is full. SQLite cannot tell the two apart without statistics; the
 *   read model can, from the count it reads first (sqlite.ts).
 */
export type CheckedThrough = "indexes" | "rows";

export function toSqlCondition(query: Query, shape: DocumentShape, through: CheckedThrough = "indexes"): SqlCondition {
  switch (query.op) {
    case "and":
    case "or": {
      if (query.of.length === 0) return { sql: query.op === "and" ? "1" : "0", params: [] };
      const parts = query.of.map((part) => toSqlCondition(part, shape, through));
      // Every row of an "and" meets each part; a row of an "or" meets one part or another.
      const narrows = query.op === "and" ? parts.some((part) => part.narrows) : parts.every((part) => part.narrows);
      return { sql: `(${parts.map((part) => part.sql).join(query.op === "and" ? " AND " : " OR ")})`, params: parts.flatMap((part) => part.params), narrows };
    }
    case "search":
      return through === "indexes" ? searchCondition(query, shape) : toSqlCondition(searchAsPatterns(query), shape, "rows");
  }
  const [head, ...rest] = query.field.split(".");
  const elements = rest.length === 0 && head !== undefined ? shape.elementIndexes?.[head] : undefined;
  if (elements !== undefined) {
    const indexed = elementCondition(query, elements, shape, through);
    if (indexed) return indexed;
  }
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
  return scalarCondition(query, `${through === "rows" ? "+" : ""}${fieldExpression(query.field, shape)}`);
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

/**
 * Whether an array holds (`eq`, `in`) or does not hold (`ne`, `nin`) some strings, read from
 * its element index; undefined for what the index cannot answer (null, other kinds of value),
 * which the translation then reads from the documents themselves.
 */
function elementCondition(query: Condition, elements: string, shape: DocumentShape, through: CheckedThrough): SqlCondition | undefined {
  if (query.op !== "eq" && query.op !== "ne" && query.op !== "in" && query.op !== "nin") return undefined;
  const values = "values" in query ? query.values : [query.value];
  if (!values.every((value) => typeof value === "string")) return undefined;
  const negated = query.op === "ne" || query.op === "nin";
  if (values.length === 0) return { sql: negated ? "1" : "0", params: [] };
  const listed = `value IN (${values.map(() => "?").join(", ")})`;
  // The rows the index lists, or, row by row, a lookup of this row's own elements.
  const holds =
    through === "indexes" && !negated
      ? `${shape.table}.rowid IN (SELECT owner FROM ${elements} WHERE ${listed})`
      : `EXISTS (SELECT 1 FROM ${elements} WHERE ${listed} AND owner = ${shape.table}.rowid)`;
  return { sql: negated ? `NOT ${holds}` : holds, params: values as string[], narrows: !negated && through === "indexes" };
}

/** Trigrams: a search for fewer characters finds nothing in the index and has to scan. */
const SHORTEST_INDEXED_SEARCH = 3;

/**
 * A search read from the substring index. The index holds folded text (caseFold.ts), and
 * folded text holds the folded search exactly when the search's pattern matches the text,
 * so the index answers alone, as the patterns would (the contract suite runs both ways).
 * Without an index over every searched field, or for a text too short for trigrams, the
 * patterns (a scan).
 */
function searchCondition(query: Search, shape: DocumentShape): SqlCondition {
  const index = shape.substringIndex;
  if (!index || [...query.text].length < SHORTEST_INDEXED_SEARCH || !query.fields.every((field) => index.fields.includes(field))) {
    return toSqlCondition(searchAsPatterns(query), shape, "rows");
  }
  // FTS5's query syntax: a column filter, then the text as one quoted string (quotes doubled).
  const match = `{${query.fields.map(checkedField).join(" ")}} : "${foldCase(query.text).replaceAll('"', '""')}"`;
  return { sql: `${shape.table}.rowid IN (SELECT rowid FROM ${index.table} WHERE ${index.table} MATCH ?)`, params: [match], narrows: true };
}

/**
 * A list of the documents that hold one value in an element-indexed array (`groups=<id>`), in
 * id order, read by walking that value's elements in order: a page at any offset reads only
 * the elements before it, and the count is the value's number of elements. Undefined for any
 * other list, which the general translation answers.
 */
export function elementWalk(filter: Query, sort: Sort, shape: DocumentShape): { count: string; page: string; params: SqlValue[] } | undefined {
  if (sort.field !== "id" || (filter.op !== "eq" && filter.op !== "in")) return undefined;
  const elements = shape.elementIndexes?.[filter.field];
  const values = "values" in filter ? filter.values : [filter.value];
  if (elements === undefined || values.length !== 1 || typeof values[0] !== "string") return undefined;
  const direction = sort.direction === 1 ? "ASC" : "DESC";
  return {
    count: `SELECT COUNT(*) AS count FROM ${elements} WHERE value = ?`,
    page:
      `SELECT ${shape.table}.body FROM ${elements} AS element JOIN ${shape.table} ON ${shape.table}.rowid = element.owner ` +
      `WHERE element.value = ? AND ${shape.table}.live = 1 ORDER BY element.owner_id ${direction} LIMIT ? OFFSET ?`,
    params: [values[0]],
  };
}

/**
 * The order of one field, ties by id: null and missing last when ascending and first when
 * descending, as Medusa's PostgreSQL orders them (SQLite's own default is the reverse). SQLite
 * still walks the field's index for it, reading the rows with a value and then those without.
 * `sortingRows`: the rows are few and sorted as they are found, so the expression is written
 * so that SQLite does not walk the ordered index instead (a unary `+` hides it from the planner).
 */
export function toSqlOrder(sort: Sort, shape: DocumentShape, sortingRows = false): string {
  const direction = sort.direction === 1 ? "ASC NULLS LAST" : "DESC NULLS FIRST";
  const hidden = sortingRows ? "+" : "";
  return sort.field === "id" ? `${hidden}id ${sort.direction === 1 ? "ASC" : "DESC"}` : `${hidden}${fieldExpression(sort.field, shape)} ${direction}, id ASC`;
}
