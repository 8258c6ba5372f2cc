/**
 * `/admin/customer-groups` routes: translate HTTP into commands and queries, and results into
 * Medusa's response bodies. No business rules live here.
 */
import type { FastifyPluginAsync } from "fastify";
import type { Static } from "typebox";
import type { CustomerCommands } from "../../application/customerCommands.js";
import type { CustomerGroupCommands } from "../../application/customerGroupCommands.js";
import type { CustomerReadModel } from "../../readmodel/port.js";
import type { ReadYourWrites } from "../../readmodel/readYourWrites.js";
import { shownGroup } from "../shownWrite.js";
import { MedusaError } from "../errors.js";
import { Presenter } from "../presenters.js";
import { relatedIds } from "../relatedFilters.js";
import { commandContext } from "../requestContext.js";
import { customerGroupListQuery } from "./listQuery.js";
import { AdminGetCustomerGroupsParams } from "./listSchemas.js";
import { AdminCreateCustomerGroup, AdminGetCustomerGroupParams, AdminUpdateCustomerGroup, CustomerGroupIdParams, LinkBody } from "./schemas.js";
import type { RouteDocumentation } from "../openapi.js";
import { DeletedAnswer, GroupAnswer, GroupListAnswer, GroupOrNothingAnswer } from "../responseSchemas.js";

export interface CustomerGroupRoutesOptions {
  groupCommands: CustomerGroupCommands;
  customerCommands: CustomerCommands;
  readModel: CustomerReadModel;
  readYourWrites: ReadYourWrites;
}

const describe = (summary: string, answer: object): object => ({ summary, tags: ["Customer groups"], "x-answer": answer }) satisfies RouteDocumentation;

/** The DELETE route has no query validator in Medusa: its query string is ignored, not refused. */
const AnyQuery = { type: "object" } as const;

type IdRoute<Extra = object> = { Params: Static<typeof CustomerGroupIdParams>; Querystring: Static<typeof AdminGetCustomerGroupParams> } & Extra;

export const customerGroupRoutes: FastifyPluginAsync<CustomerGroupRoutesOptions> = async (app, { groupCommands, customerCommands, readModel, readYourWrites }) => {
  const present = new Presenter(readModel);
  const related = relatedIds(readModel);
  const live = async (id: string) => {
    const group = await readModel.getGroup(id);
    return group && group.deleted_at === null ? group : null;
  };

  app.get<{ Querystring: Static<typeof AdminGetCustomerGroupsParams> }>(
    "/admin/customer-groups",
    { schema: { querystring: AdminGetCustomerGroupsParams, ...describe("List customer groups", GroupListAnswer) }, preValidation: app.authenticateAdmin },
    async (request) => {
      const query = await customerGroupListQuery(request.query, related);
      const page = await readModel.listGroups(query);
      return { customer_groups: await present.groups(page.groups, request.query.fields), count: page.count, offset: query.offset, limit: query.limit };
    },
  );

  app.post<{ Body: Static<typeof AdminCreateCustomerGroup>; Querystring: Static<typeof AdminGetCustomerGroupParams> }>(
    "/admin/customer-groups",
    {
      schema: { body: AdminCreateCustomerGroup, querystring: AdminGetCustomerGroupParams, ...describe("Create a customer group", GroupAnswer) },
      preValidation: app.authenticateAdmin,
    },
    async (request, reply) => {
      const written = await groupCommands.create(request.body, commandContext(request));
      return { customer_group: await present.group(await shownGroup(readYourWrites, written, reply), request.query.fields) };
    },
  );

  app.get<IdRoute>(
    "/admin/customer-groups/:id",
    {
      schema: { params: CustomerGroupIdParams, querystring: AdminGetCustomerGroupParams, ...describe("Retrieve a customer group", GroupAnswer) },
      preValidation: app.authenticateAdmin,
    },
    async (request) => {
      const group = await live(request.params.id);
      if (!group) throw new MedusaError("not_found", `Customer group with id: ${request.params.id} not found`);
      return { customer_group: await present.group(group, request.query.fields) };
    },
  );

  app.post<IdRoute<{ Body: Static<typeof AdminUpdateCustomerGroup> }>>(
    "/admin/customer-groups/:id",
    {
      schema: { params: CustomerGroupIdParams, body: AdminUpdateCustomerGroup, querystring: AdminGetCustomerGroupParams, ...describe("Update a customer group", GroupAnswer) },
      preValidation: app.authenticateAdmin,
    },
    async (request, reply) => {
      const written = await groupCommands.update(request.params.id, request.body, commandContext(request));
      return { customer_group: await present.group(await shownGroup(readYourWrites, written, reply), request.query.fields) };
    },
  );

  app.delete<{ Params: Static<typeof CustomerGroupIdParams> }>(
    "/admin/customer-groups/:id",
    { schema: { params: CustomerGroupIdParams, querystring: AnyQuery, ...describe("Delete a customer group", DeletedAnswer("customer_group")) }, preValidation: app.authenticateAdmin },
    async (request) => {
      const written = await groupCommands.delete(request.params.id, commandContext(request));
      if (written.events.length > 0) await readYourWrites.groupShown(written);
      return { id: request.params.id, object: "customer_group", deleted: true };
    },
  );

  app.post<IdRoute<{ Body: Static<typeof LinkBody> }>>(
    "/admin/customer-groups/:id/customers",
    {
      schema: { params: CustomerGroupIdParams, body: LinkBody, querystring: AdminGetCustomerGroupParams, ...describe("Add or remove a group's customers", GroupOrNothingAnswer) },
      preValidation: app.authenticateAdmin,
    },
    async (request) => {
      const { add = [], remove = [] } = request.body;
      const changed = await customerCommands.changeGroupMembers(request.params.id, { add, remove }, commandContext(request));
      // The answer shows the group's customers: let the read model reflect them first.
      await Promise.all(changed.map((written) => readYourWrites.customerShown(written)));
      // Medusa refetches the group; an unknown one comes back as nothing, and the body as `{}`.
      const group = await live(request.params.id);
      return group ? { customer_group: await present.group(group, request.query.fields) } : {};
    },
  );
};
