/**
 * Lag gauges, computed when Prometheus scrapes (prom-client's `collect`), from what this
 * process knows: in one process, how far the publisher and the read model are behind the
 * event store's log; in the cluster, the projectors' Kafka consumer-group lag (command
 * service and projector) and each topic's publisher behind the log (publisher role).
 */
import { Gauge, type Registry } from "prom-client";
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

/** Whose lag a pair of gauges shows: its labels (none in one process, the topic in the publisher role) and its position. */
interface LagSource {
  labels: Record<string, string>;
  position: () => Promise<GlobalPosition | undefined> | GlobalPosition | undefined;
}

/** A pair of gauges (events, seconds) filled from one look at the log per source and scrape. */
function logLagGauges(registry: Registry, name: string, what: string, store: EventStore, sources: LagSource[]): void {
  const looks = sources.map((source) => {
    let latest: Promise<LogLag> | undefined;
    // Both gauges of a scrape share one read; the next scrape reads again.
    const look = () => (latest ??= (async () => logLag(store, await source.position(), Date.now()))().finally(() => setTimeout(() => (latest = undefined), 100).unref()));
    return { labels: source.labels, look };
  });
  const labelNames = Object.keys(sources[0]?.labels ?? {});
  new Gauge({
    name: `${name}_events`,
    help: `Events of the event store ${what} (counted up to ${LAG_COUNT_CAP})`,
    labelNames,
    registers: [registry],
    async collect() {
      for (const { labels, look } of looks) this.set(labels, await figure(() => look().then((lag) => lag.events)));
    },
  });
  new Gauge({
    name: `${name}_seconds`,
    help: `Age of the oldest event ${what}; 0 when none waits`,
    labelNames,
    registers: [registry],
    async collect() {
      for (const { labels, look } of looks) this.set(labels, await figure(() => look().then((lag) => lag.seconds)));
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
  logLagGauges(metrics.registry, PUBLISHER_LAG, PUBLISHER_LAG_WHAT, store, [{ labels: {}, position: publisherPosition }]);
  logLagGauges(metrics.registry, "customers_projection_lag", "not yet in the read model", store, [{ labels: {}, position: projectedPosition }]);
}

/** The publisher role: each topic's publisher against the log, labelled with the topic. */
export function observePublisherLags(registry: Registry, store: EventStore, publishers: Array<{ topic: string; position: () => GlobalPosition | undefined }>): void {
  logLagGauges(
    registry,
    PUBLISHER_LAG,
    PUBLISHER_LAG_WHAT,
    store,
    publishers.map(({ topic, position }) => ({ labels: { topic }, position })),
  );
}

const PUBLISHER_LAG = "customers_publisher_lag";
const PUBLISHER_LAG_WHAT = "not yet published to the bus";

/** Cluster: the projectors' committed offsets against the topic's end, as the projector's /health reads them. */
export function observeConsumerGroupLag(registry: Registry, bus: MessageBus, topic: string, groupId: string): void {
  new Gauge({
    name: "customers_kafka_consumer_group_lag_messages",
    help: "Messages on the topic the consumer group has not committed yet",
    labelNames: ["topic", "group"],
    registers: [registry],
    async collect() {
      this.set({ topic, group: groupId }, await figure(async () => (await bus.groupOffsets(topic, groupId)).lag));
    },
  });
}
