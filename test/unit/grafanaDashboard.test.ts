/**
 * docs/grafana-dashboard.json cannot drift from the code: every metric its queries name is a
 * series of a scrape of the service's registry (every metric observed once, as a running
 * service would have), read by the independent text-format parser.
 */
import { readFileSync } from "node:fs";
import t from "tap";
import type { MessageBus } from "../../shared/bus/port.js";
import type { EventStore } from "../../shared/eventstore/port.js";
import { observeConsumerGroupLag, observeEmbeddedLags } from "../../shared/metrics/lags.js";
import { createMetrics } from "../../shared/metrics/registry.js";
import { parseScrape } from "../support/prometheusText.js";

const dashboard = JSON.parse(readFileSync(new URL("../../docs/grafana-dashboard.json", import.meta.url), "utf8"));

/** Every query of the dashboard: the panels' and the template variables'. */
function queries(): string[] {
  const panels: Array<{ targets?: Array<{ expr: string }> }> = dashboard.panels;
  const variables: Array<{ definition?: string }> = dashboard.templating.list;
  return [...panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)), ...variables.flatMap((variable) => (variable.definition ? [variable.definition] : []))];
}

/** The service's metric names all start so; PromQL's functions and labels do not. */
const METRIC_NAME = /\b(?:http|customers|process|nodejs)_[a-z0-9_]+\b/g;

async function scrapedSeriesNames(): Promise<Set<string>> {
  const metrics = createMetrics();
  const store = { readAll: async () => [] } as unknown as EventStore;
  observeEmbeddedLags(metrics, store, () => undefined, async () => undefined);
  observeConsumerGroupLag(metrics.registry, { groupOffsets: async () => ({ lag: 0, committed: 0 }) } as unknown as MessageBus, "events", "projectors");
  metrics.httpRequestDuration.observe({ method: "GET", route: "/admin/customers/:id", status_code: "200" }, 0.01);
  metrics.appendDuration.observe({ operation: "appendToStreams" }, 0.002);
  const scrape = parseScrape(await metrics.registry.metrics());
  return new Set(scrape.samples.map((sample) => sample.name));
}

t.test("every metric the dashboard queries is in a scrape", async (t) => {
  const names = await scrapedSeriesNames();
  const all = queries();
  t.ok(all.length >= 10, "the dashboard has its queries");
  for (const expr of all) {
    const used = expr.match(METRIC_NAME) ?? [];
    t.ok(used.length > 0, `a metric in: ${expr}`);
    for (const name of used) t.ok(names.has(name), `${name} is scraped`);
  }
});

t.test("the dashboard covers what the README's Metrics section promises", async (t) => {
  const used = new Set(queries().flatMap((expr) => expr.match(METRIC_NAME) ?? []));
  for (const name of [
    "http_request_duration_seconds_count",
    "http_request_duration_seconds_bucket",
    "customers_event_store_append_duration_seconds_bucket",
    "customers_publisher_lag_seconds",
    "customers_projection_lag_seconds",
    "customers_kafka_consumer_group_lag_messages",
    "customers_email_conflicts_total",
    "customers_login_throttled_total",
  ]) {
    t.ok(used.has(name), name);
  }
});
