/**
 * The publisher's and projector's small HTTP server: GET /health always; GET /metrics only
 * with METRICS_TOKEN set, and then only to that bearer token.
 */
import { Gauge } from "prom-client";
import t from "tap";
import { createProcessRegistry } from "../../shared/metrics/registry.js";
import { freePort } from "../../shared/runtime/roleProcess.js";
import { startHealthServer } from "../../shared/runtime/health.js";
import { parseScrape, sampleValue } from "../support/prometheusText.js";

const healthy = () => ({ status: "ok" as const, reasons: [], details: {} });

t.test("without a token: /health answers, /metrics does not exist", async (t) => {
  const port = await freePort();
  const server = await startHealthServer(port, "127.0.0.1", "publisher", healthy);
  t.teardown(() => server.close());
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  t.same([health.status, await health.json()], [200, { status: "ok", role: "publisher", reasons: [] }]);
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404);
});

t.test("with a token: /metrics to the bearer of that token only", async (t) => {
  const port = await freePort();
  const registry = createProcessRegistry();
  new Gauge({ name: "customers_test_gauge", help: "a gauge of the test", registers: [registry] }).set(7);
  const token = "a-token-of-at-least-16";
  const server = await startHealthServer(port, "127.0.0.1", "projector", healthy, { registry, token });
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${port}/metrics`;
  for (const authorization of [undefined, "Bearer wrong-token-of-16-chars", token, `Basic ${token}`]) {
    const refused = await fetch(url, { headers: authorization ? { authorization } : {} });
    t.same([refused.status, refused.headers.get("www-authenticate")], [401, 'Bearer realm="metrics"'], `refused: ${authorization ?? "no header"}`);
  }
  const scraped = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  t.equal(scraped.status, 200);
  t.match(scraped.headers.get("content-type"), /^text\/plain/);
  const scrape = parseScrape(await scraped.text());
  t.equal(sampleValue(scrape, "customers_test_gauge"), 7);
  t.ok(sampleValue(scrape, "process_resident_memory_bytes") > 0, "the process's own metrics");
  t.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200, "/health as before");
});
