/**
 * `/admin/customers` routes: translate HTTP into commands and queries, and results into
 * Medusa's response bodies. No business rules live here.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { CustomerCommands } from "../../application/customerCommands.js";
import type { CustomerReadModel } from "../../readmodel/port.js";
import type { ReadYourWrites } from "../../readmodel/readYourWrites.js";
import { shownCustomer } from "../shownWrite.js";
import { MedusaError } from "../errors.js";
import { Presenter } from "../presenters.js";
import { relatedIds } from "../relatedFilters.js";
import { commandContext } from "../requestContext.js";
import { customerListQuery } from "./listQuery.js";
import { AdminCustomersParams } from "./listSchemas.js";
import { LinkBody } from "../customerGroups/schemas.js";
import {
  AdminCreateCustomer,
  AdminCustomerParams,
  AdminUpdateCustomer,
  CustomerIdParams,
  NoQuery,
} from "./schemas.js";
import { routeDocumentation } from "../openapi.js";
import { CustomerAnswer, CustomerListAnswer, CustomerOrNothingAnswer, DeletedAnswer, ErasedAnswer } from "../responseSchemas.js";

export interface CustomerRoutesOptions {
  commands: CustomerCommands;
  readModel: CustomerReadModel;
  readYourWrites: ReadYourWrites;
}

/** OpenAPI annotations (shared/http/openapi.ts); Fastify's schema type does not list them. */
const describe = routeDocumentation("Customers");

/** Writes of one customer's stream: If-Match can make them conditional (entityTags.ts). */
const CONDITIONAL = { conditionalWrite: true };

/** The DELETE route has no query validator in Medusa: its query string is ignored, not refused. */
const AnyQuery = { type: "object" } as const;

export const customerRoutes: FastifyPluginAsyncTypebox<CustomerRoutesOptions> = async (app, { commands, readModel, readYourWrites }) => {
  const present = new Presenter(readModel);
  const related = relatedIds(readModel);

  app.post(
    "/admin/customers",
    {
      schema: { body: AdminCreateCustomer, querystring: AdminCustomerParams, ...describe("Create a customer", CustomerAnswer) },
    },
    async (request, reply) => {
      const { additional_data: _hooksOnly, ...input } = request.body;
      const written = await commands.create(input, commandContext(request));
      return { customer: await present.customer(await shownCustomer(readYourWrites, written, reply), request.query.fields) };
    },
  );

  app.get(
    "/admin/customers",
    {
      schema: { querystring: AdminCustomersParams, ...describe("List customers", CustomerListAnswer) },
    },
    async (request) => {
      const query = await customerListQuery(request.query, related);
      const page = await readModel.customers.list(query);
      return {
        customers: await present.customers(page.documents, request.query.fields),
        count: page.count,
        offset: query.offset,
        limit: query.limit,
      };
    },
  );

  app.post(
    "/admin/customers/:id",
    {
      schema: { params: CustomerIdParams, body: AdminUpdateCustomer, querystring: AdminCustomerParams, ...describe("Update a customer", CustomerAnswer) },
      config: CONDITIONAL,
    },
    async (request, reply) => {
      const { additional_data: _hooksOnly, ...input } = request.body;
      const written = await commands.update(request.params.id, input, commandContext(request));
      return { customer: await present.customer(await shownCustomer(readYourWrites, written, reply), request.query.fields) };
    },
  );

  app.delete(
    "/admin/customers/:id",
    {
      schema: { params: CustomerIdParams, querystring: AnyQuery, ...describe("Delete a customer", DeletedAnswer("customer")) },
      config: CONDITIONAL,
    },
    async (request) => {
      const written = await commands.delete(request.params.id, commandContext(request));
      if (written.events.length > 0) await readYourWrites.customerShown(written);
      return { id: request.params.id, object: "customer", deleted: true };
    },
  );

  app.post(
    "/admin/customers/:id/erase",
    {
      schema: {
        params: CustomerIdParams,
        querystring: NoQuery,
        ...describe("Erase a customer's personal data (right to erasure)", ErasedAnswer, {
          errorDescriptions: { 404: "No customer was ever created with this id" },
        }),
      },
      config: CONDITIONAL,
    },
    async (request) => {
      const written = await commands.erase(request.params.id, commandContext(request));
      if (!written.erased) throw new MedusaError("not_found", `Customer with id: ${request.params.id} not found`);
      if (written.events.length > 0) await readYourWrites.customerShown(written);
      return { id: request.params.id, object: "customer", erased: true };
    },
  );

  app.get(
    "/admin/customers/:id",
    {
      schema: { params: CustomerIdParams, querystring: AdminCustomerParams, ...describe("Retrieve a customer", CustomerAnswer) },
    },
    async (request, reply) => {
      const document = await readModel.customers.get(request.params.id);
      if (!document || document.deleted_at !== null) {
        throw new MedusaError("not_found", `Customer with id: ${request.params.id} not found`);
      }
      reply.entityRevision = document.revision;
      return { customer: await present.customer(document, request.query.fields) };
    },
  );

  app.post(
    "/admin/customers/:id/customer-groups",
    {
      schema: { params: CustomerIdParams, body: LinkBody, querystring: AdminCustomerParams, ...describe("Add or remove a customer's groups", CustomerOrNothingAnswer) },
      config: CONDITIONAL,
    },
    async (request, reply) => {
      const { add = [], remove = [] } = request.body;
      const written = await commands.changeGroups(request.params.id, { add, remove }, commandContext(request));
      // Medusa refetches the customer; an unknown one comes back as nothing, and the body as `{}`.
      if (!written) return {};
      return { customer: await present.customer(await shownCustomer(readYourWrites, written, reply), request.query.fields) };
    },
  );
};
