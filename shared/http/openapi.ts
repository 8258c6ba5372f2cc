/**
 * An OpenAPI 3.1 document assembled from the route schemas as they are registered, so the
 * published contract (for clients and fuzzers) is the one the validators enforce. Each route
 * names its success answer (`x-answer`, a schema from responseSchemas.ts) and, when it is not
 * an /admin route, how it authenticates (`x-auth`); the error answers follow from what the
 * route takes (path parameters, a query, a body) and whether it is authenticated.
 */
import type { FastifyInstance } from "fastify";
import { METADATA_KEY_MAX_LENGTH } from "../metadata.js";
import { COMPONENT_SCHEMAS } from "./responseSchemas.js";

type AuthScheme = "bearer" | "session" | "secretKey";

/** Route schema keys this document reads; Fastify ignores them. */
export interface RouteDocumentation {
  summary: string;
  tags: string[];
  "x-answer"?: object;
  /** How the route authenticates; every /admin route takes all three, other routes none unless said. */
  "x-auth"?: AuthScheme[];
  /** Statuses of the route's own beyond those that follow from its shape (a failed login's 401). */
  "x-errors"?: number[];
}

const EXTRA_ERRORS: Record<number, string> = {
  401: "Wrong email or password, or an unknown provider",
  404: "The token names no known user",
};

const ALL_SCHEMES: AuthScheme[] = ["bearer", "session", "secretKey"];

const QUERY_STYLE_NOTE =
  "Query strings are read as Express's `qs` reads them: `a[]=1&a[]=2` or `a=1&a=2` for lists, " +
  "`a[$gte]=1` for operator maps (OpenAPI's deepObject), and `$or[0][email]=x` for lists of " +
  "filters (also `$and`), which OpenAPI cannot express and this document leaves out; such nesting is " +
  "accepted up to five levels deep.";

const errorAnswer = (description: string, schema = "Error", headers?: object) => ({
  description,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${schema}` } } },
  ...(headers ? { headers } : {}),
});

const RETRY_AFTER = { "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "string" } } };

interface Operation {
  operationId: string;
  summary?: string;
  tags?: string[];
  description?: string;
  parameters: object[];
  requestBody?: object;
  responses: Record<string, object>;
  security: object[];
}

export function openApiDocument(app: FastifyInstance): { document(): object } {
  const paths: Record<string, Record<string, Operation>> = {};
  app.addHook("onRoute", (route) => {
    const schema = route.schema as (Record<string, any> & Partial<RouteDocumentation>) | undefined;
    if (!schema) return;
    const path = route.url.replace(/:(\w+)/g, "{$1}");
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === "HEAD") continue;
      const admin = route.url.startsWith("/admin");
      const schemes = schema["x-auth"] ?? (admin ? ALL_SCHEMES : []);
      const params = Object.entries(schema.params?.properties ?? {}).map(([name, property]) => [name, documented(property)] as const);
      // `$and` and `$or` hold lists of filter objects, which OpenAPI cannot put in a query (see QUERY_STYLE_NOTE).
      const query = Object.entries(schema.querystring?.properties ?? {})
        .filter(([name]) => name !== "$and" && name !== "$or")
        .map(([name, property]) => [name, documented(property)] as const);
      const takesBody = method === "POST";
      const parameters = [
        ...params.map(([name, property]) => ({ name, in: "path", required: true, schema: property })),
        ...query.map(([name, property]) => ({ name, in: "query", required: false, schema: property, ...queryStyle(property as Record<string, unknown>) })),
      ];
      const responses: Record<string, object> = {
        "200": { description: "Success", content: { "application/json": { schema: schema["x-answer"] ?? { type: "object" } } } },
      };
      if (params.length > 0 || query.length > 0 || schema.body || takesBody) responses["400"] = errorAnswer("Invalid data (`invalid_data`), or a body that is not valid JSON or UTF-8");
      if (schemes.length > 0) responses["401"] = errorAnswer("Not authenticated", "Unauthorized");
      if (schemes.includes("session") && method !== "GET") responses["403"] = errorAnswer("A write authenticated by a session cookie from another site's page");
      if (params.length > 0) {
        responses["404"] = errorAnswer("No such customer, address or group");
        responses["414"] = errorAnswer("A path parameter longer than 500 characters");
      }
      if (admin && method !== "GET") responses["409"] = errorAnswer("Another write to the same customer or group won the race; retrying is safe");
      if (takesBody) {
        responses["413"] = errorAnswer("A body larger than BODY_LIMIT_BYTES");
        responses["415"] = errorAnswer("A body of a media type or charset the service does not read");
      }
      for (const status of schema["x-errors"] ?? []) responses[String(status)] ??= errorAnswer(EXTRA_ERRORS[status] ?? "See the message");
      if (route.url.startsWith("/auth/:actor_type")) responses["429"] = errorAnswer("Too many failed logins", "Error", RETRY_AFTER);
      if (admin || schemes.includes("session")) responses["503"] = errorAnswer("The event store, the read model or the session store is unavailable", "Error", RETRY_AFTER);
      paths[path] ??= {};
      paths[path]![method.toLowerCase()] = {
        operationId: `${method.toLowerCase()}${path.replace(/[{}]/g, "").replace(/[^a-zA-Z0-9]+(.)?/g, (_m, next: string | undefined) => (next ?? "").toUpperCase())}`,
        summary: schema.summary,
        tags: schema.tags,
        ...(query.length > 0 ? { description: QUERY_STYLE_NOTE } : {}),
        parameters,
        ...(schema.body ? { requestBody: { required: false, content: { "application/json": { schema: documented(schema.body) } } } } : {}),
        responses,
        security: schemes.map((scheme) => ({ [scheme]: [] })),
      };
    }
  });
  return {
    document: () => ({
      openapi: "3.1.0",
      info: {
        title: "Customers (Medusa v2 Admin API)",
        version: "1",
        description:
          "Medusa 2.21's Admin Customers API: customers, their addresses, customer groups, and the admin login. " +
          "Every /admin route takes a Bearer token (a JWT signed with JWT_SECRET, as Medusa issues them), " +
          "the session cookie POST /auth/session sets, or a secret API key in HTTP Basic.",
      },
      paths,
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A token from POST /auth/user/emailpass or `npm run token`" },
          session: { type: "apiKey", in: "cookie", name: "connect.sid", description: "The session cookie POST /auth/session sets (its name is SESSION_COOKIE_NAME)" },
          secretKey: { type: "http", scheme: "basic", description: "A secret API key (`npm run api-key`) as the user name, with an empty password, or the key alone base64-encoded" },
        },
        schemas: {
          ...Object.fromEntries(
            COMPONENT_SCHEMAS.map((schema) => {
              const { $id, ...rest } = schema as unknown as { $id: string } & Record<string, unknown>;
              return [$id, rest];
            }),
          ),
          StorableJson: storableJson("StorableJson", { pattern: STORABLE_TEXT }),
          // Metadata keys are limited at every depth.
          MetadataValue: storableJson("MetadataValue", { pattern: STORABLE_TEXT, maxLength: METADATA_KEY_MAX_LENGTH }),
        },
      },
    }),
  };
}

/** Operator maps and filter objects are deepObject; lists repeat the name. */
function queryStyle(schema: Record<string, unknown>): object {
  const kinds = [schema, ...((schema.anyOf as Array<Record<string, unknown>> | undefined) ?? [])].map((branch) => branch.type);
  if (kinds.includes("object")) return { style: "deepObject", explode: true };
  if (kinds.includes("array")) return { style: "form", explode: true };
  return {};
}

/**
 * A request schema as the document shows it: what the validators enforce beyond JSON Schema
 * made explicit, so that a client (or a fuzzer) generating from the document sends what the
 * service accepts. Text may not hold NUL characters (storable.ts); an email is zod's pattern
 * (validate.ts), not JSON Schema's looser `email` format; a boolean in a query is the text true
 * or false in any case; metadata keys have at most 256 characters (customers/limits.ts).
 */
function documented(schema: unknown, name?: string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => documented(item, name));
  if (schema === null || typeof schema !== "object") return schema;
  const source = schema as Record<string, unknown>;
  if (source["x-boolean-string"]) return { type: "string", pattern: "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$" };
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith("x-") || key === "$id") continue;
    copy[key] =
      key === "properties"
        ? Object.fromEntries(Object.entries(value as object).map(([property, item]) => [property, documented(item, property)]))
        : key === "patternProperties"
          ? value
          : documented(value, name);
  }
  if (copy.type === "string") {
    if (copy.format === "email") {
      delete copy.format;
      copy.pattern = ZOD_EMAIL;
    } else copy.pattern ??= STORABLE_TEXT;
  }
  if (copy.patternProperties) {
    // A record (metadata and the like): any JSON, with storable text and keys at every depth.
    delete copy.patternProperties;
    const keys = name === "metadata" ? { pattern: STORABLE_TEXT, maxLength: METADATA_KEY_MAX_LENGTH } : { pattern: STORABLE_TEXT };
    return { ...copy, propertyNames: keys, additionalProperties: { $ref: `#/components/schemas/${name === "metadata" ? "MetadataValue" : "StorableJson"}` } };
  }
  return copy;
}

/** No NUL character. (Lone surrogates are refused too; JSON Schema patterns cannot say so portably.) */
const STORABLE_TEXT = "^[^\\u0000]*$";

/** zod 4's email pattern (validate.ts), written without lookarounds: no leading dot, no two dots in a row. */
const ZOD_EMAIL = "^(?:[A-Za-z0-9_'+-]+\\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\\.)+[A-Za-z]{2,}$";

/** Any JSON value without NUL characters in its text or keys: what additional_data may hold (`ref` names this schema). */
const storableJson = (ref: string, keys: object) => ({
  anyOf: [
    { type: "null" },
    { type: "boolean" },
    { type: "number" },
    { type: "string", pattern: STORABLE_TEXT },
    { type: "array", items: { $ref: `#/components/schemas/${ref}` } },
    { type: "object", propertyNames: keys, additionalProperties: { $ref: `#/components/schemas/${ref}` } },
  ],
});
