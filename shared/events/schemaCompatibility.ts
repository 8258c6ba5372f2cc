/**
 * Whether a new schema of an event version still accepts what the old one described, and
 * still gives readers what they relied on: the rule that a published version only gains
 * optional fields. Compares JSON Schemas as shared/events writes them (type, const, anyOf,
 * properties, required, items and the constraints on values), and answers each break found,
 * by path; none means compatible.
 */
import { isDeepStrictEqual } from "node:util";

type Schema = Record<string, unknown>;

const CONSTRAINTS = ["pattern", "format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "enum"];

const typesOf = (schema: Schema): string[] | undefined =>
  schema.type === undefined ? undefined : Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];

export function compatibilityProblems(before: Schema, after: Schema, path = "$"): string[] {
  const problems: string[] = [];
  if ("const" in before && !isDeepStrictEqual(before.const, after.const)) problems.push(`${path}: the value was fixed to ${JSON.stringify(before.const)}, now ${JSON.stringify(after.const)}`);
  const [typesBefore, typesAfter] = [typesOf(before), typesOf(after)];
  if (typesAfter && !Array.isArray(before.anyOf) && (!typesBefore || typesBefore.some((type) => !typesAfter.includes(type) && !(type === "integer" && typesAfter.includes("number"))))) {
    problems.push(`${path}: the type was ${JSON.stringify(typesBefore ?? "any")}, now ${JSON.stringify(typesAfter)}`);
  }
  for (const keyword of CONSTRAINTS) {
    if (keyword in after && !isDeepStrictEqual(before[keyword], after[keyword])) problems.push(`${path}: "${keyword}" changed from ${JSON.stringify(before[keyword])} to ${JSON.stringify(after[keyword])}`);
  }
  if (after.additionalProperties === false && before.additionalProperties !== false) problems.push(`${path}: other properties were allowed, now refused`);
  if (Array.isArray(before.anyOf)) {
    const branches = Array.isArray(after.anyOf) ? (after.anyOf as Schema[]) : [after];
    (before.anyOf as Schema[]).forEach((branch, i) => {
      if (!branches.some((candidate) => compatibilityProblems(branch, candidate).length === 0)) problems.push(`${path}: the alternative ${JSON.stringify(branch)} is no longer accepted (anyOf[${i}])`);
    });
  } else if (Array.isArray(after.anyOf)) {
    if (!(after.anyOf as Schema[]).some((candidate) => compatibilityProblems(before, candidate).length === 0)) problems.push(`${path}: no alternative of the new anyOf accepts what was accepted`);
  }
  const [propertiesBefore, propertiesAfter] = [before.properties as Record<string, Schema> | undefined, (after.properties ?? {}) as Record<string, Schema>];
  if (propertiesBefore) {
    for (const [name, schema] of Object.entries(propertiesBefore)) {
      const next = propertiesAfter[name];
      if (!next) problems.push(`${path}.${name}: removed`);
      else problems.push(...compatibilityProblems(schema, next, `${path}.${name}`));
    }
  }
  const requiredBefore = new Set((before.required as string[] | undefined) ?? []);
  for (const name of (after.required as string[] | undefined) ?? []) {
    if (!requiredBefore.has(name)) problems.push(`${path}.${name}: now required (events written before it lack it)`);
  }
  for (const name of requiredBefore) {
    if (propertiesAfter[name] && !((after.required as string[] | undefined) ?? []).includes(name)) problems.push(`${path}.${name}: no longer always there (readers rely on it)`);
  }
  if (before.items && typeof before.items === "object") {
    if (!after.items || typeof after.items !== "object") problems.push(`${path}[]: the items' schema was removed`);
    else problems.push(...compatibilityProblems(before.items as Schema, after.items as Schema, `${path}[]`));
  }
  if (before.patternProperties && after.patternProperties && !isDeepStrictEqual(Object.keys(before.patternProperties as object), Object.keys(after.patternProperties as object))) {
    problems.push(`${path}: the allowed property names changed`);
  }
  return problems;
}
