/**
 * Checks a value against a route's TypeBox (JSON Schema) schema the way zod checks Medusa's
 * schemas: objects are strict, issues come in schema key order with unknown keys last, and a
 * nullable field is reported as the type it wants. Only the JSON Schema the routes use is
 * understood (object, string, number, integer, boolean, null, arrays, records, anyOf).
 */
import type { Issue, Path } from "./issues.js";
import { isPlainObject } from "./issues.js";

export interface JsonSchema {
  type?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  /** Query strings carry numbers as text: accept "12" for a number, as Medusa's preprocess does. */
  "x-coerce"?: boolean;
  /** Medusa's booleanString(): a boolean, or "true"/"false" in any case, read as a boolean. */
  "x-boolean-string"?: boolean;
  minimum?: number;
  maximum?: number;
  /** In characters (Unicode code points), as JSON Schema counts them. */
  maxLength?: number;
  [keyword: string]: unknown;
}

/** zod 4.2's email pattern, which Medusa 2.21 uses ("Invalid email address"). */
const EMAIL = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

const isRecordSchema = (schema: JsonSchema): boolean => schema.type === "object" && schema.patternProperties !== undefined;

function typeName(schema: JsonSchema): string {
  if (isRecordSchema(schema)) return "record";
  return schema.type ?? "unknown";
}

/** Returns the (possibly coerced) value and the issues found, in zod's order. */
export function validate(schema: JsonSchema, value: unknown, path: Path = []): { value: unknown; issues: Issue[] } {
  if (schema["x-boolean-string"]) return validateBooleanString(value, path);
  if (schema.anyOf) return validateUnion(schema.anyOf, value, path);
  switch (schema.type) {
    case "object":
      return isRecordSchema(schema) ? validateRecord(schema, value, path) : validateObject(schema, value, path);
    case "string":
      if (typeof value !== "string") return invalidType(schema, value, path);
      if (schema.maxLength !== undefined && isLongerThan(value, schema.maxLength)) {
        return { value, issues: [{ code: "custom", message: `Value for field '${path.join(", ")}' too long, expected at most: '${schema.maxLength}' characters`, path }] };
      }
      if (schema.format === "email" && !EMAIL.test(value)) {
        return { value, issues: [{ code: "invalid_format", message: "Invalid email address", path }] };
      }
      return { value, issues: [] };
    case "number":
    case "integer":
      return validateNumber(schema, value, path);
    case "boolean":
      return typeof value === "boolean" ? { value, issues: [] } : invalidType(schema, value, path);
    case "null":
      return value === null ? { value, issues: [] } : invalidType(schema, value, path);
    case "array":
      return validateArray(schema, value, path);
    default:
      return { value, issues: [] };
  }
}

/** Code points, counted only when the UTF-16 length leaves a doubt. */
function isLongerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let count = 0;
  for (const _ of text) if (++count > max) return true;
  return false;
}

function invalidType(schema: JsonSchema, value: unknown, path: Path): { value: unknown; issues: Issue[] } {
  return { value, issues: [{ code: "invalid_type", expected: typeName(schema), path }] };
}

function validateObject(schema: JsonSchema, value: unknown, path: Path): { value: unknown; issues: Issue[] } {
  if (!isPlainObject(value)) return invalidType(schema, value, path);
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const issues: Issue[] = [];
  const output: Record<string, unknown> = {};
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (!Object.hasOwn(value, key) || value[key] === undefined) {
      if (required.has(key)) issues.push({ code: "invalid_type", expected: typeName(propertySchema), path: [...path, key] });
      continue;
    }
    const checked = validate(propertySchema, value[key], [...path, key]);
    issues.push(...checked.issues);
    output[key] = checked.value;
  }
  if (schema.additionalProperties === false) {
    const unknown = Object.keys(value).filter((key) => !Object.hasOwn(properties, key));
    if (unknown.length > 0) issues.push({ code: "unrecognized_keys", keys: unknown, path });
  }
  return { value: output, issues };
}

function validateRecord(schema: JsonSchema, value: unknown, path: Path): { value: unknown; issues: Issue[] } {
  if (!isPlainObject(value)) return invalidType(schema, value, path);
  const [valueSchema] = Object.values(schema.patternProperties ?? {});
  const issues: Issue[] = [];
  if (valueSchema && Object.keys(valueSchema).length > 0) {
    for (const [key, item] of Object.entries(value)) issues.push(...validate(valueSchema, item, [...path, key]).issues);
  }
  return { value, issues };
}

function validateNumber(schema: JsonSchema, value: unknown, path: Path): { value: unknown; issues: Issue[] } {
  let candidate = value;
  // Medusa reads query numbers with parseInt ("1.5" is 1, "12abc" is 12). The bounds hold for
  // the number as written too: "1e308" is no page size of 1, and "-0.5" is below 0.
  let written: number | undefined;
  if (schema["x-coerce"] === true && typeof value === "string" && value !== "") {
    candidate = Number.parseInt(value, 10);
    written = Number(value);
  }
  if (typeof candidate !== "number" || Number.isNaN(candidate)) return invalidType(schema, value, path);
  const extremes = written === undefined || Number.isNaN(written) ? [candidate] : [candidate, written];
  if (schema.minimum !== undefined && Math.min(...extremes) < schema.minimum) {
    return { value, issues: [{ code: "custom", message: `Value for field '${path.join(", ")}' too small, expected at least: '${schema.minimum}'`, path }] };
  }
  if (schema.maximum !== undefined && Math.max(...extremes) > schema.maximum) {
    return { value, issues: [{ code: "custom", message: `Value for field '${path.join(", ")}' too big, expected at most: '${schema.maximum}'`, path }] };
  }
  return { value: candidate, issues: [] };
}

function validateBooleanString(value: unknown, path: Path): { value: unknown; issues: Issue[] } {
  if (typeof value === "boolean") return { value, issues: [] };
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return { value: value.toLowerCase() === "true", issues: [] };
  if (typeof value !== "string") return { value, issues: [{ code: "invalid_union", branches: [[{ code: "invalid_type", expected: "boolean", path }], [{ code: "invalid_type", expected: "string", path }]], path }] };
  return { value, issues: [{ code: "custom", message: "Invalid input", path }] };
}

function validateArray(schema: JsonSchema, value: unknown, path: Path): { value: unknown; issues: Issue[] } {
  if (!Array.isArray(value)) return invalidType(schema, value, path);
  if (!schema.items) return { value, issues: [] };
  const items = value.map((item, index) => validate(schema.items!, item, [...path, index]));
  return { value: items.map((item) => item.value), issues: items.flatMap((item) => item.issues) };
}

function validateUnion(branches: JsonSchema[], value: unknown, path: Path): { value: unknown; issues: Issue[] } {
  // A nullable field (anyOf [T, null]) reports T's issues directly, as zod's .nullable() does.
  const nonNull = branches.filter((branch) => branch.type !== "null");
  if (nonNull.length < branches.length) {
    if (value === null) return { value, issues: [] };
    if (nonNull.length === 1) return validate(nonNull[0]!, value, path);
  }
  const results = nonNull.map((branch) => validate(branch, value, path));
  const passed = results.find((result) => result.issues.length === 0);
  if (passed) return passed;
  return { value, issues: [{ code: "invalid_union", branches: results.map((result) => result.issues), path }] };
}
