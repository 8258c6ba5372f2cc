/**
 * Lag gauges, computed when Prometheus scrapes (prom-client's `collect`), from what this
 * process knows: in one process, how far the publisher and the read model are behind the
 * event store's log; in the cluster, the projectors' Kafka consumer-group lag.
 */
import { Gauge } from "prom-client";
import type { MessageBus } from "../bus/port.js";
import { PUBLISHED_STREAM_PREFIXES } from "../events/publishedStreams.js";
import type { EventStore, GlobalPosition } from "../eventstore/port.js";
import type { ServiceMetrics } from "./registry.js";

/** Counting further would make a scrape read a long backlog; beyond it the gauge says "at least". */
export const LAG_COUNT_CAP = 1000;

interface LogLag {
  events: number;
  seconds: number;
}

/** Events of the published streams after `position`, and the age of the oldest of them. */
async function logLag(store: EventStore, position: GlobalPosition | undefined, now: number): Promise<LogLag> {
  const waiting = await store.readAll({ after: position, streamPrefixes: PUBLISHED_STREAM_PREFIXES, maxCount: LAG_COUNT_CAP });
  const oldest = waiting[0];
  return { events: waiting.length, seconds: oldest ? Math.max(0, (now - Date.parse(oldest.recorded_at)) / 1000) : 0 };
}

/** A pair of gauges (events, seconds) filled from one look at the log per scrape. */
function logLagGauges(metrics: ServiceMetrics, name: string, what: string, store: EventStore, position: () => Promise<GlobalPosition | undefined> | undefined): void {
  let latest: Promise<LogLag> | undefined;
  // Both gauges of a scrape share one read; the next scrape reads again.
  const look = () => (latest ??= (async () => logLag(store, await position(), Date.now()))().finally(() => setTimeout(() => (latest = undefined), 100).unref()));
  new Gauge({
    name: `${name}_events`,
    help: `Events of the event store ${what} (counted up to ${LAG_COUNT_CAP})`,
    registers: [metrics.registry],
    async collect() {
      this.set(await figure(() => look().then((lag) => lag.events)));
    },
  });
  new Gauge({
    name: `${name}_seconds`,
    help: `Age of the oldest event ${what}; 0 when none waits`,
    registers: [metrics.registry],
    async collect() {
      this.set(await figure(() => look().then((lag) => lag.seconds)));
    },
  });
}

/** A figure that cannot be read now is NaN: one unreachable server must not fail the whole scrape. */
async function figure(read: () => Promise<number>): Promise<number> {
  try {
    return await read();
  } catch {
    return Number.NaN;
  }
}

/** One process: the in-process publisher's position and the read model's, against the log. */
export function observeEmbeddedLags(
  metrics: ServiceMetrics,
  store: EventStore,
  publisherPosition: () => GlobalPosition | undefined,
  projectedPosition: () => Promise<GlobalPosition | undefined>,
): void {
  logLagGauges(metrics, "customers_publisher_lag", "not yet published to the bus", store, async () => publisherPosition());
  logLagGauges(metrics, "customers_projection_lag", "not yet in the read model", store, projectedPosition);
}

/** Cluster: the projectors' committed offsets against the topic's end, as the projector's /health reads them. */
export function observeConsumerGroupLag(metrics: ServiceMetrics, bus: MessageBus, topic: string, groupId: string): void {
  new Gauge({
    name: "customers_kafka_consumer_group_lag_messages",
    help: "Messages on the topic the consumer group has not committed yet",
    labelNames: ["topic", "group"],
    registers: [metrics.registry],
    async collect() {
      this.set({ topic, group: groupId }, await figure(async () => (await bus.groupOffsets(topic, groupId)).lag));
    },
  });
}
