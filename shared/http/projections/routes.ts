/**
 * `GET /admin/projections`: the read model's projection, the generation serving and how far
 * it has come, and the rebuild running or last run. `POST /admin/projections/rebuild` starts
 * building a new generation from the event store beside the serving one, which goes on
 * answering until the new one has caught up and takes over (202; 409 while one is running).
 * Medusa has no such routes; they are admin routes like the others.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Projections } from "../../readmodel/projections.js";
import { NoQuery } from "../customers/schemas.js";
import { routeDocumentation } from "../openapi.js";
import { ProjectionAnswer, ProjectionListAnswer } from "../responseSchemas.js";

export interface ProjectionRoutesOptions {
  projections: Projections;
}

const document = routeDocumentation("Projections");

export const projectionRoutes: FastifyPluginAsyncTypebox<ProjectionRoutesOptions> = async (app, { projections }) => {
  app.get(
    "/admin/projections",
    { schema: { querystring: NoQuery, ...document("The read model's projection: its serving generation, its position and any rebuild", ProjectionListAnswer) } },
    async () => ({ projections: await projections.list() }),
  );

  const rebuildDocumentation = document("Rebuild the read model from the event store without downtime", ProjectionAnswer, {
    status: 202,
    errorDescriptions: { 409: "A rebuild is already running; follow it at GET /admin/projections" },
  });
  app.post(
    "/admin/projections/rebuild",
    { schema: { querystring: NoQuery, ...rebuildDocumentation } },
    async (_request, reply) => reply.status(202).send({ projection: await projections.rebuild() }),
  );
};
