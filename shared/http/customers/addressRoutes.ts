/**
 * `/admin/customers/:id/addresses` routes. Addresses live inside their customer's read-model
 * document, so each route is one read: the list filters, orders and pages that document's
 * addresses with the read model's own filter semantics.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Static } from "typebox";
import type { CustomerCommands } from "../../application/customerCommands.js";
import type { CustomerAddress } from "../../customers/customer.js";
import type { AddressListQuery, CustomerReadModel } from "../../readmodel/port.js";
import { EVERYTHING, where } from "../../readmodel/query.js";
import type { ReadYourWrites } from "../../readmodel/readYourWrites.js";
import { parseFields, shapeEntity } from "../fields.js";
import { parseOrder, searchFilter, valueFilter } from "../listFilters.js";
import { commandContext } from "../requestContext.js";
import { ADDRESS_COLUMNS, DEFAULT_ADDRESS_FIELDS } from "../answerColumns.js";
import { ADDRESS_SEARCH_FIELDS, AddressParams, AdminCustomerAddressBody, AdminCustomerAddressesParams } from "./addressSchemas.js";
import { Presenter } from "../presenters.js";
import { shownCustomer } from "../shownWrite.js";
import { AdminCustomerParams, CustomerIdParams } from "./schemas.js";
import { routeDocumentation } from "../openapi.js";
import { AddressDeletedAnswer, AddressListAnswer, AddressOrNothingAnswer, CustomerAnswer, CustomerOrNothingAnswer } from "../responseSchemas.js";

export interface AddressRoutesOptions {
  commands: CustomerCommands;
  readModel: CustomerReadModel;
  readYourWrites: ReadYourWrites;
}

const describe = routeDocumentation("Customer addresses");

/** Writes of the customer's stream (its addresses are in it): If-Match can make them conditional (entityTags.ts). */
const CONDITIONAL = { conditionalWrite: true };

export function shapeAddress(address: CustomerAddress, fields: string | undefined): Record<string, unknown> {
  return shapeEntity(address as unknown as Record<string, unknown>, parseFields(fields, DEFAULT_ADDRESS_FIELDS), ADDRESS_COLUMNS, {});
}

/** GET /admin/customers/:id/addresses's validated query as a read-model list query. */
function addressListQuery(customerId: string, query: Static<typeof AdminCustomerAddressesParams>): AddressListQuery & { offset: number; limit: number } {
  const { offset = 0, limit = 50, order, q, company, city, country_code, province, postal_code } = query;
  const filter = where.and(
    q === undefined ? EVERYTHING : searchFilter(q, ADDRESS_SEARCH_FIELDS),
    ...Object.entries({ company, city, country_code, province, postal_code })
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([field, value]) => valueFilter(field, value)),
  );
  return { customerId, filter, sort: parseOrder(order, ADDRESS_COLUMNS), skip: offset, limit, offset };
}

export const addressRoutes: FastifyPluginAsyncTypebox<AddressRoutesOptions> = async (app, { commands, readModel, readYourWrites }) => {
  const present = new Presenter(readModel);
  const live = async (id: string) => {
    const customer = await readModel.customers.get(id);
    return customer && customer.deleted_at === null ? customer : null;
  };

  app.get(
    "/admin/customers/:id/addresses",
    { schema: { params: CustomerIdParams, querystring: AdminCustomerAddressesParams, ...describe("List a customer's addresses", AddressListAnswer) } },
    async (request) => {
      const query = addressListQuery(request.params.id, request.query);
      const page = await readModel.listAddresses(query);
      return { addresses: page.documents.map((address) => shapeAddress(address, request.query.fields)), count: page.count, offset: query.offset, limit: query.limit };
    },
  );

  app.post(
    "/admin/customers/:id/addresses",
    {
      schema: { params: CustomerIdParams, body: AdminCustomerAddressBody, querystring: AdminCustomerParams, ...describe("Add an address", CustomerAnswer) },
      config: CONDITIONAL,
    },
    async (request, reply) => {
      const { additional_data: _hooksOnly, ...input } = request.body;
      const written = await commands.addAddress(request.params.id, input, commandContext(request));
      return { customer: await present.customer(await shownCustomer(readYourWrites, written, reply), request.query.fields) };
    },
  );

  app.get(
    "/admin/customers/:id/addresses/:address_id",
    { schema: { params: AddressParams, querystring: AdminCustomerParams, ...describe("Retrieve an address", AddressOrNothingAnswer) } },
    async (request, reply) => {
      const customer = await live(request.params.id);
      const address = customer?.addresses.find((candidate) => candidate.id === request.params.address_id);
      // Medusa answers an unknown address with 200 and an empty object.
      if (!address) return {};
      // An address is part of its customer's stream: its ETag is of the customer's revision.
      reply.entityRevision = customer!.revision;
      return { address: shapeAddress(address, request.query.fields) };
    },
  );

  app.post(
    "/admin/customers/:id/addresses/:address_id",
    {
      schema: { params: AddressParams, body: AdminCustomerAddressBody, querystring: AdminCustomerParams, ...describe("Update an address", CustomerOrNothingAnswer) },
      config: CONDITIONAL,
    },
    async (request, reply) => {
      const { additional_data: _hooksOnly, ...input } = request.body;
      const written = await commands.updateAddress(request.params.id, request.params.address_id, input, commandContext(request));
      if (!written) return {};
      return { customer: await present.customer(await shownCustomer(readYourWrites, written, reply), request.query.fields) };
    },
  );

  app.delete(
    "/admin/customers/:id/addresses/:address_id",
    { schema: { params: AddressParams, querystring: AdminCustomerParams, ...describe("Delete an address", AddressDeletedAnswer) }, config: CONDITIONAL },
    async (request, reply) => {
      const written = await commands.removeAddress(request.params.id, request.params.address_id, commandContext(request));
      const body = { id: request.params.address_id, object: "customer_address", deleted: true };
      return written ? { ...body, parent: await present.customer(await shownCustomer(readYourWrites, written, reply), request.query.fields) } : body;
    },
  );
};
