/**
 * The read model's query language: the subset of MongoDB's filter documents the list routes
 * need ($and, $or, $eq, $ne, $in, $nin, $gt, $gte, $lt, $lte, $regex with $options "i", in
 * RE2 syntax: pattern.ts). The
 * MongoDB adapter hands a filter to the server as it is; the in-memory adapter evaluates it
 * here with MongoDB's semantics (dotted paths reach into arrays; null matches a missing
 * field; ordering puts null first), so both answer a query the same way.
 */
import { compiledPattern } from "./pattern.js";

export type Filter = Record<string, unknown>;

export interface Sort {
  field: string;
  direction: 1 | -1;
}

/** The values at a dotted path; an array along the way yields each of its elements' values. */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(value) ? [value, ...value] : [value];
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path));
  if (value === null || typeof value !== "object") return [undefined];
  const [head, ...rest] = path;
  return valuesAt((value as Record<string, unknown>)[head!], rest);
}

const isOperatorObject = (condition: unknown): condition is Record<string, unknown> =>
  condition !== null && typeof condition === "object" && !Array.isArray(condition) && !(condition instanceof RegExp) && Object.keys(condition).some((key) => key.startsWith("$"));

function equals(a: unknown, b: unknown): boolean {
  if (b === null) return a === null || a === undefined;
  return a === b;
}

/** MongoDB compares values of the same kind only; a string never is greater than a number. */
function comparable(a: unknown, b: unknown): boolean {
  return a !== null && a !== undefined && typeof a === typeof b;
}

function matchesOperator(values: unknown[], operator: string, operand: unknown, options: string | undefined): boolean {
  switch (operator) {
    case "$eq":
      return values.some((value) => equals(value, operand));
    case "$ne":
      return !values.some((value) => equals(value, operand));
    case "$in":
      return (operand as unknown[]).some((item) => values.some((value) => equals(value, item)));
    case "$nin":
      return !(operand as unknown[]).some((item) => values.some((value) => equals(value, item)));
    case "$gt":
      return values.some((value) => comparable(value, operand) && (value as string) > (operand as string));
    case "$gte":
      return values.some((value) => comparable(value, operand) && (value as string) >= (operand as string));
    case "$lt":
      return values.some((value) => comparable(value, operand) && (value as string) < (operand as string));
    case "$lte":
      return values.some((value) => comparable(value, operand) && (value as string) <= (operand as string));
    case "$regex": {
      const pattern = compiledPattern(operand as string, (options ?? "").includes("i"));
      return values.some((value) => typeof value === "string" && pattern.test(value));
    }
    case "$options":
      return true;
    default:
      throw new Error(`Unsupported filter operator ${operator}`);
  }
}

export function matchesFilter(document: unknown, filter: Filter): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === "$and") return (condition as Filter[]).every((part) => matchesFilter(document, part));
    if (key === "$or") return (condition as Filter[]).some((part) => matchesFilter(document, part));
    const values = valuesAt(document, key.split("."));
    if (!isOperatorObject(condition)) return values.some((value) => equals(value, condition));
    const options = condition.$options as string | undefined;
    return Object.entries(condition).every(([operator, operand]) => matchesOperator(values, operator, operand, options));
  });
}

/** MongoDB's order for one field (null and missing first when ascending), then by id. */
export function compareDocuments<T extends object>(sort: Sort): (a: T, b: T) => number {
  const rank = (value: unknown) => (value === null || value === undefined ? 0 : typeof value === "number" ? 1 : typeof value === "string" ? 2 : 3);
  const compare = (x: unknown, y: unknown): number => {
    const byRank = rank(x) - rank(y);
    if (byRank !== 0) return byRank;
    if (x === y || rank(x) === 0) return 0;
    if (typeof x === "boolean") return Number(x) - Number(y);
    return (x as string) < (y as string) ? -1 : 1;
  };
  const field = (document: T, name: string) => (document as Record<string, unknown>)[name];
  return (a, b) => compare(field(a, sort.field), field(b, sort.field)) * sort.direction || compare(field(a, "id"), field(b, "id"));
}
