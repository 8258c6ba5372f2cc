/**
 * The health of a role that consumes a topic with a group (the projector): unhealthy when it
 * has been out of its group, or its handler has been failing, or messages have been waiting
 * with the group's committed offsets standing still, for `unhealthyAfterMs`. The offsets come
 * from the broker, not from the consumer, so a consumer that has silently stopped shows too.
 */
import type { BusSubscription, MessageBus, SubscriptionStatus } from "../bus/port.js";
import { ProgressWatch } from "./progressWatch.js";
import { type HealthCheck, type OngoingFailure, healthReport, lastingFailure, seconds } from "./report.js";
import { startSampling } from "./sampling.js";

export interface ConsumerHealthOptions {
  bus: MessageBus;
  topic: string;
  groupId: string;
  subscription: () => BusSubscription | undefined;
  /** Since when the handler has been failing, if it is. */
  handlerFailure: () => OngoingFailure | undefined;
  unhealthyAfterMs: number;
  sampleEveryMs?: number;
  now?: () => number;
}

export function watchConsumer(options: ConsumerHealthOptions): { check: HealthCheck; stop(): void } {
  const { bus, topic, groupId, unhealthyAfterMs, now = Date.now } = options;
  const progress = new ProgressWatch();
  let lag: number | undefined;
  const sampling = startSampling(
    async () => {
      const offsets = await bus.groupOffsets(topic, groupId);
      lag = offsets.lag;
      progress.observe(String(offsets.committed), offsets.lag > 0, now());
    },
    options.sampleEveryMs ?? 2_000,
    now,
  );
  const check: HealthCheck = () => {
    const at = now();
    const status = options.subscription()?.status();
    const stalled = progress.stalledFor(at);
    return healthReport(
      [
        outOfGroup(status, `consumer group ${groupId}`, at, unhealthyAfterMs),
        lastingFailure("handling messages has been failing", options.handlerFailure(), at, unhealthyAfterMs),
        stalled >= unhealthyAfterMs ? `${lag} messages waiting on ${topic} and none consumed for ${seconds(stalled)}` : undefined,
        lastingFailure(`the offsets of group ${groupId} could not be read from Kafka`, sampling.failure(), at, unhealthyAfterMs),
      ],
      { topic, group: groupId, member: status?.member ?? false, restarts: status?.restarts ?? 0, lag: lag ?? null },
    );
  };
  return { check, stop: () => sampling.stop() };
}

/** Why a consumer counts as out of its group, once it has been for `after` ms. */
export function outOfGroup(status: SubscriptionStatus | undefined, group: string, now: number, after: number): string | undefined {
  if (!status || status.member || now - status.since < after) return undefined;
  return `not a member of ${group} for ${seconds(now - status.since)}${status.lastError ? ` (last error: ${status.lastError})` : ""}`;
}
