/**
 * `/admin/customers` routes: translate HTTP into commands and queries, and results into
 * Medusa's response bodies. No business rules live here.
 */
import type { FastifyPluginAsync } from "fastify";
import type { Static } from "typebox";
import type { CustomerCommands } from "../../application/customerCommands.js";
import type { CustomerDocument } from "../../readmodel/customerDocument.js";
import type { CustomerReadModel } from "../../readmodel/port.js";
import { MedusaError } from "../errors.js";
import { parseFields, shapeEntity } from "../fields.js";
import { commandContext } from "../requestContext.js";
import { customerListQuery } from "./listQuery.js";
import { AdminCustomersParams } from "./listSchemas.js";
import {
  AdminCreateCustomer,
  AdminCustomerParams,
  AdminUpdateCustomer,
  CUSTOMER_RELATIONS,
  CustomerIdParams,
  DEFAULT_CUSTOMER_FIELDS,
} from "./schemas.js";

export interface CustomerRoutesOptions {
  commands: CustomerCommands;
  readModel: CustomerReadModel;
}

/** OpenAPI annotations (shared/http/openapi.ts); Fastify's schema type does not list them. */
const describe = (summary: string) => ({ summary, tags: ["Customers"] }) as object;

/** The DELETE route has no query validator in Medusa: its query string is ignored, not refused. */
const AnyQuery = { type: "object" } as const;

/** Header set when a write is answered from its own events because the read model was behind. */
export const READ_MODEL_HEADER = "x-read-model";

export function shapeCustomer(document: CustomerDocument, fields: string | undefined): Record<string, unknown> {
  return shapeEntity(
    document as unknown as Record<string, unknown>,
    parseFields(fields, DEFAULT_CUSTOMER_FIELDS),
    DEFAULT_CUSTOMER_FIELDS,
    CUSTOMER_RELATIONS,
  );
}

export const customerRoutes: FastifyPluginAsync<CustomerRoutesOptions> = async (app, { commands, readModel }) => {
  app.post<{ Body: Static<typeof AdminCreateCustomer>; Querystring: Static<typeof AdminCustomerParams> }>(
    "/admin/customers",
    {
      schema: { body: AdminCreateCustomer, querystring: AdminCustomerParams, ...describe("Create a customer") },
      preValidation: app.authenticateAdmin,
    },
    async (request, reply) => {
      const { additional_data: _hooksOnly, ...input } = request.body;
      const result = await commands.create(input, commandContext(request));
      if (result.source === "events") reply.header(READ_MODEL_HEADER, "behind");
      return { customer: shapeCustomer(result.customer, request.query.fields) };
    },
  );

  app.get<{ Querystring: Static<typeof AdminCustomersParams> }>(
    "/admin/customers",
    {
      schema: { querystring: AdminCustomersParams, ...describe("List customers") },
      preValidation: app.authenticateAdmin,
    },
    async (request) => {
      const query = customerListQuery(request.query);
      const page = await readModel.listCustomers(query);
      return {
        customers: page.customers.map((customer) => shapeCustomer(customer, request.query.fields)),
        count: page.count,
        offset: query.offset,
        limit: query.limit,
      };
    },
  );

  app.post<{ Params: Static<typeof CustomerIdParams>; Body: Static<typeof AdminUpdateCustomer>; Querystring: Static<typeof AdminCustomerParams> }>(
    "/admin/customers/:id",
    {
      schema: { params: CustomerIdParams, body: AdminUpdateCustomer, querystring: AdminCustomerParams, ...describe("Update a customer") },
      preValidation: app.authenticateAdmin,
    },
    async (request, reply) => {
      const { additional_data: _hooksOnly, ...input } = request.body;
      const result = await commands.update(request.params.id, input, commandContext(request));
      if (result.source === "events") reply.header(READ_MODEL_HEADER, "behind");
      return { customer: shapeCustomer(result.customer, request.query.fields) };
    },
  );

  app.delete<{ Params: Static<typeof CustomerIdParams> }>(
    "/admin/customers/:id",
    {
      schema: { params: CustomerIdParams, querystring: AnyQuery, ...describe("Delete a customer") },
      preValidation: app.authenticateAdmin,
    },
    async (request) => {
      await commands.delete(request.params.id, commandContext(request));
      return { id: request.params.id, object: "customer", deleted: true };
    },
  );

  app.get<{ Params: Static<typeof CustomerIdParams>; Querystring: Static<typeof AdminCustomerParams> }>(
    "/admin/customers/:id",
    {
      schema: { params: CustomerIdParams, querystring: AdminCustomerParams, ...describe("Retrieve a customer") },
      preValidation: app.authenticateAdmin,
    },
    async (request) => {
      const document = await readModel.getCustomer(request.params.id);
      if (!document || document.deleted_at !== null) {
        throw new MedusaError("not_found", `Customer with id: ${request.params.id} not found`);
      }
      return { customer: shapeCustomer(document, request.query.fields) };
    },
  );
};
