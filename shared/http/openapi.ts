/**
 * An OpenAPI 3.1 document assembled from the route schemas as they are registered, so the
 * published contract (for clients and fuzzers) is the one the validators enforce.
 */
import type { FastifyInstance } from "fastify";

interface Operation {
  summary?: string;
  tags?: string[];
  parameters: object[];
  requestBody?: object;
  responses: object;
  security: object[];
}

export function openApiDocument(app: FastifyInstance): { document(): object } {
  const paths: Record<string, Record<string, Operation>> = {};
  app.addHook("onRoute", (route) => {
    const schema = route.schema as Record<string, any> | undefined;
    if (!schema) return;
    const path = route.url.replace(/:(\w+)/g, "{$1}");
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === "HEAD") continue;
      const parameters: object[] = [];
      for (const [name, property] of Object.entries(schema.params?.properties ?? {})) {
        parameters.push({ name, in: "path", required: true, schema: property });
      }
      for (const [name, property] of Object.entries(schema.querystring?.properties ?? {})) {
        parameters.push({ name, in: "query", required: false, schema: property });
      }
      paths[path] ??= {};
      paths[path]![method.toLowerCase()] = {
        summary: schema.summary,
        tags: schema.tags,
        parameters,
        ...(schema.body ? { requestBody: { required: false, content: { "application/json": { schema: schema.body } } } } : {}),
        responses: {
          "200": { description: "Success" },
          "400": { description: "Invalid data", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
          "401": { description: "Unauthorized" },
        },
        security: [{ bearer: [] }],
      };
    }
  });
  return {
    document: () => ({
      openapi: "3.1.0",
      info: { title: "Customers (Medusa v2 Admin API)", version: "1" },
      paths,
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
        schemas: {
          Error: {
            type: "object",
            properties: { type: { type: "string" }, message: { type: "string" }, code: { type: "string" } },
            required: ["type", "message"],
          },
        },
      },
    }),
  };
}
