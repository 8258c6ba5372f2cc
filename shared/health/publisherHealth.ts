/**
 * The health of the publisher: unhealthy when events of the published streams have been
 * waiting in the event store past the publisher's position without it moving (also events
 * the store holds back: PostgreSQL's behind an append left open), or publishing or following
 * the store has been failing, for `unhealthyAfterMs`.
 */
import type { EventStore } from "../eventstore/port.js";
import type { Publisher } from "../publisher/publisher.js";
import { ProgressWatch } from "./progressWatch.js";
import { type HealthCheck, healthReport, lastingFailure, seconds } from "./report.js";
import { startSampling } from "./sampling.js";

export interface PublisherHealthOptions {
  store: EventStore;
  publisher: Publisher;
  streamPrefixes: string[];
  unhealthyAfterMs: number;
  sampleEveryMs?: number;
  now?: () => number;
}

export function watchPublisher(options: PublisherHealthOptions): { check: HealthCheck; stop(): void } {
  const { store, publisher, streamPrefixes, unhealthyAfterMs, now = Date.now } = options;
  const progress = new ProgressWatch();
  let behind = false;
  let heldBackBy: string | undefined;
  const sampling = startSampling(
    async () => {
      const position = publisher.position;
      // Is there one event to publish past the position? Cheap whatever the log's length.
      const next = await store.readAll({ after: position, streamPrefixes, maxCount: 1 });
      // Events the store cannot hand out yet are waiting work too, or a stalled log would look idle.
      heldBackBy = next.length > 0 ? undefined : (await store.heldBack?.({ after: position, streamPrefixes }))?.reason;
      behind = next.length > 0 || heldBackBy !== undefined;
      progress.observe(position ?? "", behind, now());
    },
    options.sampleEveryMs ?? 2_000,
    now,
  );
  const check: HealthCheck = () => {
    const at = now();
    const stalled = progress.stalledFor(at);
    return healthReport(
      [
        stalled >= unhealthyAfterMs
          ? `events wait in the event store after position ${publisher.position ?? "(start)"} and none were published for ${seconds(stalled)}${heldBackBy ? `: ${heldBackBy}` : ""}`
          : undefined,
        lastingFailure("publishing to the bus has been failing", publisher.publishFailure, at, unhealthyAfterMs),
        lastingFailure("following the event store has been failing", publisher.followFailure, at, unhealthyAfterMs),
        lastingFailure("the event store could not be read", sampling.failure(), at, unhealthyAfterMs),
      ],
      { published_up_to: publisher.position ?? null, behind, ...(heldBackBy && { held_back_by: heldBackBy }) },
    );
  };
  return { check, stop: () => sampling.stop() };
}
