/**
 * `/admin/customer-groups` routes: translate HTTP into commands and queries, and results into
 * Medusa's response bodies. No business rules live here.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
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
import { routeDocumentation } from "../openapi.js";
import { DeletedAnswer, GroupAnswer, GroupListAnswer, GroupOrNothingAnswer } from "../responseSchemas.js";

export interface CustomerGroupRoutesOptions {
  groupCommands: CustomerGroupCommands;
  customerCommands: CustomerCommands;
  readModel: CustomerReadModel;
  readYourWrites: ReadYourWrites;
}

const describe = routeDocumentation("Customer groups");

/** Writes of one group's stream: If-Match can make them conditional (entityTags.ts). */
const CONDITIONAL = { conditionalWrite: true };

/** The DELETE route has no query validator in Medusa: its query string is ignored, not refused. */
const AnyQuery = { type: "object" } as const;

export const customerGroupRoutes: FastifyPluginAsyncTypebox<CustomerGroupRoutesOptions> = async (app, { groupCommands, customerCommands, readModel, readYourWrites }) => {
  const present = new Presenter(readModel);
  const related = relatedIds(readModel);
  const live = async (id: string) => {
    const group = await readModel.groups.get(id);
    return group && group.deleted_at === null ? group : null;
  };

  app.get(
    "/admin/customer-groups",
    { schema: { querystring: AdminGetCustomerGroupsParams, ...describe("List customer groups", GroupListAnswer) } },
    async (request) => {
      const query = await customerGroupListQuery(request.query, related);
      const page = await readModel.groups.list(query);
      return { customer_groups: await present.groups(page.documents, request.query.fields), count: page.count, offset: query.offset, limit: query.limit };
    },
  );

  app.post(
    "/admin/customer-groups",
    {
      schema: { body: AdminCreateCustomerGroup, querystring: AdminGetCustomerGroupParams, ...describe("Create a customer group", GroupAnswer) },
    },
    async (request, reply) => {
      const written = await groupCommands.create(request.body, commandContext(request));
      return { customer_group: await present.group(await shownGroup(readYourWrites, written, reply), request.query.fields) };
    },
  );

  app.get(
    "/admin/customer-groups/:id",
    {
      schema: { params: CustomerGroupIdParams, querystring: AdminGetCustomerGroupParams, ...describe("Retrieve a customer group", GroupAnswer) },
    },
    async (request, reply) => {
      const group = await live(request.params.id);
      if (!group) throw new MedusaError("not_found", `Customer group with id: ${request.params.id} not found`);
      reply.entityRevision = group.revision;
      return { customer_group: await present.group(group, request.query.fields) };
    },
  );

  app.post(
    "/admin/customer-groups/:id",
    {
      schema: { params: CustomerGroupIdParams, body: AdminUpdateCustomerGroup, querystring: AdminGetCustomerGroupParams, ...describe("Update a customer group", GroupAnswer) },
      config: CONDITIONAL,
    },
    async (request, reply) => {
      const written = await groupCommands.update(request.params.id, request.body, commandContext(request));
      return { customer_group: await present.group(await shownGroup(readYourWrites, written, reply), request.query.fields) };
    },
  );

  app.delete(
    "/admin/customer-groups/:id",
    { schema: { params: CustomerGroupIdParams, querystring: AnyQuery, ...describe("Delete a customer group", DeletedAnswer("customer_group")) }, config: CONDITIONAL },
    async (request) => {
      const written = await groupCommands.delete(request.params.id, commandContext(request));
      if (written.events.length > 0) await readYourWrites.groupShown(written);
      return { id: request.params.id, object: "customer_group", deleted: true };
    },
  );

  app.post(
    "/admin/customer-groups/:id/customers",
    {
      schema: { params: CustomerGroupIdParams, body: LinkBody, querystring: AdminGetCustomerGroupParams, ...describe("Add or remove a group's customers", GroupOrNothingAnswer) },
    },
    async (request, reply) => {
      const { add = [], remove = [] } = request.body;
      const changed = await customerCommands.changeGroupMembers(request.params.id, { add, remove }, commandContext(request));
      // The answer shows the group's customers: let the read model reflect them first.
      await Promise.all(changed.map((written) => readYourWrites.customerShown(written)));
      // Medusa refetches the group; an unknown one comes back as nothing, and the body as `{}`.
      const group = await live(request.params.id);
      if (!group) return {};
      reply.entityRevision = group.revision;
      return { customer_group: await present.group(group, request.query.fields) };
    },
  );
};
