/**
 * The published events as a live feed, read from the event store itself (the source of truth,
 * where every event has its global position): what GET /admin/events streams. A follower
 * starts after a position it names (resuming), at the start of the log, or at its end (now),
 * and sees the events of the published streams in log order, upcast to their current version,
 * optionally only some types. The number of followers at once is bounded: each holds a
 * subscription to the store.
 */
import { Failure } from "../errors.js";
import { type EventEnvelope, toEnvelope } from "../events/envelope.js";
import { PUBLISHED_STREAM_PREFIXES } from "../events/publishedStreams.js";
import { upcast } from "../events/upcasting.js";
import type { EventStore, GlobalPosition } from "../eventstore/port.js";

export interface FollowOptions {
  /** Resume after this position (the last event the follower has). */
  after?: GlobalPosition;
  /** Without `after`: from the start of the log, or only what is written from now on. */
  from: "beginning" | "now";
  /** Only these types; every type when absent. */
  types?: ReadonlySet<string>;
}

export interface EventFollower extends AsyncIterable<EventEnvelope> {
  close(): Promise<void>;
}

export class TooManyFollowers extends Failure {
  override readonly name = "TooManyFollowers";
  readonly kind = "throttled";
  override readonly retryAfterMs = 5_000;
  constructor(limit: number) {
    super(`Too many event streams are open (${limit} at most); close one, or retry later`);
  }
}

export class EventFeed {
  #open = 0;

  constructor(
    private readonly store: EventStore,
    readonly maxFollowers = 100,
  ) {}

  get followers(): number {
    return this.#open;
  }

  async follow(options: FollowOptions): Promise<EventFollower> {
    if (this.#open >= this.maxFollowers) throw new TooManyFollowers(this.maxFollowers);
    this.#open += 1;
    let released = false;
    const release = () => {
      if (!released) this.#open -= 1;
      released = true;
    };
    try {
      const after = options.after ?? (options.from === "now" ? await this.store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES }) : undefined);
      const subscription = this.store.subscribeToAll({ ...(after !== undefined && { after }), streamPrefixes: PUBLISHED_STREAM_PREFIXES });
      const types = options.types;
      async function* envelopes(): AsyncGenerator<EventEnvelope> {
        try {
          for await (const event of subscription) {
            if (types && !types.has(event.type)) continue;
            yield upcast(toEnvelope(event));
          }
        } finally {
          release();
        }
      }
      const iterator = envelopes();
      return {
        [Symbol.asyncIterator]: () => iterator,
        async close() {
          release();
          await subscription.close();
        },
      };
    } catch (error) {
      release();
      throw error;
    }
  }
}
