/**
 * `GET /health` for the roles without an HTTP API (publisher, projector), for orchestrators:
 * 200 with `{"status":"ok"}` while the role does its job, 503 with the reasons when it has
 * not been able to for a while (see shared/health/).
 */
import { createServer } from "node:http";
import type { HealthCheck } from "../health/report.js";

export async function startHealthServer(port: number, host: string, role: string, check: HealthCheck): Promise<{ close(): Promise<void> }> {
  const server = createServer((request, response) => {
    if (request.url !== "/health") {
      response.writeHead(404, { "content-type": "application/json; charset=utf-8" });
      response.end(JSON.stringify({ type: "not_found", message: "Not found" }));
      return;
    }
    const report = check();
    response.writeHead(report.status === "unhealthy" ? 503 : 200, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify({ status: report.status, role, reasons: report.reasons, ...report.details }));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
