/**
 * Every `/admin` route, in one encapsulated plugin whose one preValidation hook authenticates
 * them all as Medusa's admin routes do (a secret key, a session cookie or a bearer token of
 * a user; shared/http/auth.ts). A route added here cannot forget it.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { CustomerCommands } from "../application/customerCommands.js";
import type { CustomerGroupCommands } from "../application/customerGroupCommands.js";
import type { EventFeed } from "../application/eventFeed.js";
import type { EntityHistory } from "../application/history.js";
import type { IdempotencyKeys } from "../application/idempotencyKeys.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import type { Projections } from "../readmodel/projections.js";
import type { ReadYourWrites } from "../readmodel/readYourWrites.js";
import { customerGroupRoutes } from "./customerGroups/routes.js";
import { addressRoutes } from "./customers/addressRoutes.js";
import { customerRoutes } from "./customers/routes.js";
import entityTags from "./entityTags.js";
import idempotency from "./idempotency.js";
import { eventRoutes } from "./events/routes.js";
import { historyRoutes } from "./history/routes.js";
import { projectionRoutes } from "./projections/routes.js";

export interface AdminRoutesOptions {
  commands: CustomerCommands;
  groupCommands: CustomerGroupCommands;
  readModel: CustomerReadModel;
  readYourWrites: ReadYourWrites;
  history: EntityHistory;
  idempotencyKeys: IdempotencyKeys;
  /** The read model's projection, where this mode can rebuild it without downtime. */
  projections?: Projections;
  /** The published events, for GET /admin/events. */
  events?: EventFeed;
}

export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, { commands, groupCommands, readModel, readYourWrites, history, idempotencyKeys, projections, events }) => {
  app.addHook("preValidation", app.authenticateAdmin);
  await app.register(entityTags);
  // After entityTags: an answer is recorded for its key with its ETag.
  await app.register(idempotency, { keys: idempotencyKeys });
  await app.register(customerRoutes, { commands, readModel, readYourWrites });
  await app.register(addressRoutes, { commands, readModel, readYourWrites });
  await app.register(customerGroupRoutes, { groupCommands, customerCommands: commands, readModel, readYourWrites });
  await app.register(historyRoutes, { history });
  if (projections) await app.register(projectionRoutes, { projections });
  if (events) await app.register(eventRoutes, { feed: events });
};
