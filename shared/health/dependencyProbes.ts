/**
 * The looks GET /ready takes at the command service's dependencies (readiness.ts samples
 * them). Each asks its server something cheap whatever the data's size, and words its answer
 * without any stored value: the report is public, as /health is.
 */
import type { MessageBus } from "../bus/port.js";
import { PUBLISHED_STREAM_PREFIXES } from "../events/publishedStreams.js";
import type { EventStore } from "../eventstore/port.js";
import { comparePositions } from "../eventstore/positions.js";
import type { Publisher } from "../publisher/publisher.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import { ProgressWatch } from "./progressWatch.js";
import type { Probe } from "./readiness.js";
import { seconds } from "./report.js";

/** Reaching the end of the published log: what every write and history read needs. */
export function eventStoreProbe(store: EventStore): Probe {
  return async () => {
    await store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES });
    return { usable: true, reason: "the log's head was read" };
  };
}

/** `look` is one cheap read that reaches the read model's server (or file). */
export function readModelProbe(look: () => Promise<unknown>): Probe {
  return async () => {
    await look();
    return { usable: true, reason: "answered a read" };
  };
}

/** Embedded: the in-process bus is usable while its publisher runs and publishes. */
export function inProcessBusProbe(publisher: () => Publisher | undefined): Probe {
  return async () => {
    const running = publisher();
    if (!running) return { usable: false, reason: "the in-process publisher is not running" };
    const failure = running.publishFailure ?? running.followFailure;
    if (failure) return { usable: false, reason: `the in-process publisher is failing: ${failure.message}` };
    return { usable: true, reason: "in-process, the publisher is running" };
  };
}

/** Cluster: Kafka answers for the projectors' group (the same request the projector's /health makes). */
export function kafkaProbe(bus: MessageBus, topic: string, groupId: string): Probe {
  return async () => {
    await bus.groupOffsets(topic, groupId);
    return { usable: true, reason: `Kafka answered for ${topic}` };
  };
}

/**
 * Projection lag: being behind is normal under load; the read model is unusable once work
 * has been waiting with no progress for `stalledAfterMs`, as the roles' /health judge it.
 * `sample` says how far the projection has got (any marker that moves) and how far behind it is.
 */
export function projectionLagProbe(
  sample: () => Promise<{ marker: string; behind: number | boolean }>,
  stalledAfterMs: number,
  now: () => number = Date.now,
): Probe {
  const progress = new ProgressWatch();
  return async () => {
    const { marker, behind } = await sample();
    const at = now();
    progress.observe(marker, behind !== false && behind !== 0, at);
    const stalled = progress.stalledFor(at);
    const lag = behind === false || behind === 0 ? "caught up" : typeof behind === "number" ? `${behind} messages behind` : "behind the event store";
    if (stalled >= stalledAfterMs) return { usable: false, reason: `${lag} with no progress for ${seconds(stalled)}` };
    return { usable: true, reason: lag };
  };
}

/** Embedded: the read model's position against the log's head. */
export function embeddedProjectionLag(store: EventStore, readModel: CustomerReadModel): () => Promise<{ marker: string; behind: boolean }> {
  return async () => {
    const [projected, head] = await Promise.all([readModel.projectedPosition(), store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES })]);
    return { marker: projected ?? "", behind: comparePositions(projected, head) < 0 };
  };
}

/** Cluster: the projectors' committed offsets against the topic's end. */
export function consumerGroupLag(bus: MessageBus, topic: string, groupId: string): () => Promise<{ marker: string; behind: number }> {
  return async () => {
    const offsets = await bus.groupOffsets(topic, groupId);
    return { marker: String(offsets.committed), behind: offsets.lag };
  };
}
