/**
 * `GET /health` for the roles without an HTTP API (publisher, projector), for orchestrators:
 * 200 with `{"status":"ok"}` while the role does its job, 503 with the reasons when it has
 * not been able to for a while (see shared/health/). With METRICS_TOKEN set, the same port
 * answers `GET /metrics` too, to that bearer token only, as the command service's does.
 */
import { createServer } from "node:http";
import type { Registry } from "prom-client";
import type { HealthCheck } from "../health/report.js";
import { UNAUTHORIZED_SCRAPE, scrapeTokenCheck } from "../metrics/scrapeToken.js";

export interface RoleMetrics {
  registry: Registry;
  token: string;
}

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

export async function startHealthServer(port: number, host: string, role: string, check: HealthCheck, metrics?: RoleMetrics): Promise<{ close(): Promise<void> }> {
  const authorized = metrics && scrapeTokenCheck(metrics.token);
  const server = createServer((request, response) => {
    const path = request.url?.split("?")[0];
    if (path === "/metrics" && metrics && request.method === "GET") {
      if (!authorized!(request.headers.authorization)) {
        response.writeHead(UNAUTHORIZED_SCRAPE.status, { ...JSON_TYPE, ...UNAUTHORIZED_SCRAPE.headers });
        response.end(JSON.stringify(UNAUTHORIZED_SCRAPE.body));
        return;
      }
      metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { "content-type": metrics.registry.contentType });
          response.end(text);
        },
        (error: Error) => {
          response.writeHead(500, JSON_TYPE);
          response.end(JSON.stringify({ type: "unexpected_state", message: `metrics could not be collected: ${error.message}` }));
        },
      );
      return;
    }
    if (request.url !== "/health") {
      response.writeHead(404, JSON_TYPE);
      response.end(JSON.stringify({ type: "not_found", message: "Not found" }));
      return;
    }
    const report = check();
    response.writeHead(report.status === "unhealthy" ? 503 : 200, JSON_TYPE);
    response.end(JSON.stringify({ status: report.status, role, reasons: report.reasons, ...report.details }));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
