/**
 * Fastify validator compiler: route schemas are TypeBox (JSON Schema) declared next to each
 * route; this turns them into validators whose failures are Medusa's 400 `invalid_data`.
 */
import type { FastifySchemaCompiler } from "fastify";
import { MedusaError } from "../errors.js";
import { formatIssues } from "./issues.js";
import { normalizeQuery } from "./normalizeQuery.js";
import { findUnstorableValue } from "./storable.js";
import { type JsonSchema, validate } from "./validate.js";

export const medusaValidatorCompiler: FastifySchemaCompiler<JsonSchema> = ({ schema, httpPart }) => {
  return (data: unknown) => {
    let input = data;
    try {
      if (httpPart === "querystring") input = normalizeQuery((data ?? {}) as Record<string, unknown>);
      // The router hands over path parameters as a prototype-less object; make it a plain one.
      else if (httpPart === "params") input = { ...(data as object) };
    } catch (error) {
      return { error: error as Error };
    }
    // No body at all is an empty object, as Medusa's body parser makes it.
    if (httpPart === "body" && (input === undefined || input === null)) input = {};
    const { value, issues } = validate(schema, input);
    if (issues.length > 0) return { error: new MedusaError("invalid_data", formatIssues(issues, input)) };
    const unstorable = findUnstorableValue(value);
    if (unstorable) return { error: new MedusaError("invalid_data", `Invalid request: ${unstorable}`) };
    return { value };
  };
};
