/** `GET /health` for the roles without an HTTP API (publisher, projector), for orchestrators. */
import { createServer } from "node:http";

export async function startHealthServer(port: number, host: string, role: string): Promise<{ close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const ok = request.url === "/health";
    response.writeHead(ok ? 200 : 404, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify(ok ? { status: "ok", role } : { type: "not_found", message: "Not found" }));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
