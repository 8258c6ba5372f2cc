/**
 * GET /ready: may this instance get traffic now? 200 once every dependency is usable, 503
 * naming those that are not. Apart from GET /health, which says whether the process is alive
 * and doing its job, so that an orchestrator restarts on the one and only withholds traffic
 * on the other. Public as /health is: it names dependencies, never data.
 */
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { ReadinessCheck, ReadinessReport } from "../health/readiness.js";

export interface ReadinessRouteOptions {
  /** Ready when absent. */
  readiness?: ReadinessCheck;
}

const ALWAYS_READY: ReadinessCheck = (): ReadinessReport => ({ status: "ready", dependencies: [] });

async function readinessRoute(app: FastifyInstance, options: ReadinessRouteOptions): Promise<void> {
  const readiness = options.readiness ?? ALWAYS_READY;
  app.get("/ready", { schema: { hide: true } }, async (_request, reply) => {
    const report = readiness();
    if (report.status !== "ready") reply.code(503);
    return report;
  });
}

export default fp(readinessRoute, { name: "readiness-route" });
