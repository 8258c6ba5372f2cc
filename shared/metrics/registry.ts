/**
 * The command service's Prometheus metrics (the roles' are their lags and the process's), in a registry of its own (not prom-client's global
 * one), so that two services in one process (the tests) never share or clash. Labels carry
 * route templates, methods, statuses and operation names only: never ids or personal data.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface ServiceMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<"method" | "route" | "status_code">;
  appendDuration: Histogram<"operation">;
  emailConflicts: Counter;
  loginThrottled: Counter;
}

/** Seconds; from a cache hit (sub-millisecond) to a write waiting on a slow read model. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const APPEND_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** A registry with the process's CPU, memory, event-loop lag, handles and GC, under prom-client's usual names. */
export function createProcessRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function createMetrics(): ServiceMetrics {
  const registry = createProcessRegistry();
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP requests by method, route template (never the raw URL) and status code",
      labelNames: ["method", "route", "status_code"],
      buckets: HTTP_BUCKETS,
      registers: [registry],
    }),
    appendDuration: new Histogram({
      name: "customers_event_store_append_duration_seconds",
      help: "Appends to the event store, by operation (appendToStream, appendToStreams), failed ones included",
      labelNames: ["operation"],
      buckets: APPEND_BUCKETS,
      registers: [registry],
    }),
    emailConflicts: new Counter({
      name: "customers_email_conflicts_total",
      help: "Customer writes refused because another customer holds the email (Medusa's duplicate-email 400)",
      registers: [registry],
    }),
    loginThrottled: new Counter({
      name: "customers_login_throttled_total",
      help: "Logins refused with 429 because of earlier failures from the same client",
      registers: [registry],
    }),
  };
}
