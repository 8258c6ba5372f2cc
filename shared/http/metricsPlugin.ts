/**
 * Prometheus metrics for the HTTP API: every answer timed under its route template
 * (`/admin/customers/:id`, never the URL with its ids), the duplicate-email and login-throttle
 * refusals counted as they pass, and GET /metrics, the text Prometheus scrapes. /metrics
 * answers only a bearer token equal to METRICS_TOKEN (Prometheus's `authorization`
 * setting), so the traffic figures are not public on the API's own port.
 */
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { TooManyLoginAttempts } from "../auth/loginThrottle.js";
import { EmailAlreadyTaken } from "../customers/errors.js";
import type { ServiceMetrics } from "../metrics/registry.js";
import { UNAUTHORIZED_SCRAPE, scrapeTokenCheck } from "../metrics/scrapeToken.js";

export interface MetricsPluginOptions {
  metrics: ServiceMetrics;
  token: string;
}

/** Requests no route matched (a 404 of the router) share one label, whatever their URL. */
const UNMATCHED_ROUTE = "unmatched";

async function metricsPlugin(app: FastifyInstance, options: MetricsPluginOptions): Promise<void> {
  const { metrics } = options;
  const authorized = scrapeTokenCheck(options.token);

  app.addHook("onResponse", async (request, reply) => {
    metrics.httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // Errors on their way to the Medusa error handler (errors.ts), which answers them.
  app.addHook("onError", async (_request, _reply, error) => {
    if (error instanceof EmailAlreadyTaken) metrics.emailConflicts.inc();
    else if (error instanceof TooManyLoginAttempts) metrics.loginThrottled.inc();
  });

  app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
    if (!authorized(request.headers.authorization)) {
      return reply.code(UNAUTHORIZED_SCRAPE.status).headers(UNAUTHORIZED_SCRAPE.headers).send(UNAUTHORIZED_SCRAPE.body);
    }
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

export default fp(metricsPlugin, { name: "metrics" });
