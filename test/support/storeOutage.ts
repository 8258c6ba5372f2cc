/**
 * An event store (and a checkpoint store) that can be cut off: while `down`, every call
 * fails as an unreachable store's would (EventStoreUnavailable), subscribeToAll is refused
 * at once, and a subscription already open ends with that error. The store behind it keeps
 * its data and keeps taking writes from others, as a real server does while one client's
 * line is cut.
 */
import type { CheckpointStore } from "../../shared/checkpoints/port.js";
import { type EventStore, EventStoreUnavailable, type Subscription } from "../../shared/eventstore/port.js";

export class StoreOutage {
  #down = false;
  readonly #open = new Set<() => void>();

  get down(): boolean {
    return this.#down;
  }

  cut(): void {
    this.#down = true;
    for (const end of this.#open) end();
  }

  restore(): void {
    this.#down = false;
  }

  #check(): void {
    if (this.#down) throw new EventStoreUnavailable("the event store cannot be reached (test outage)");
  }

  eventStore(store: EventStore): EventStore {
    const outage = this;
    const guarded = <T>(call: () => Promise<T>) => async (): Promise<T> => {
      outage.#check();
      return call();
    };
    return {
      appendToStream: (stream, events, options) => guarded(() => store.appendToStream(stream, events, options))(),
      appendToStreams: (appends) => guarded(() => store.appendToStreams(appends))(),
      readStream: (stream, options) => guarded(() => store.readStream(stream, options))(),
      streamRevision: (stream) => guarded(() => store.streamRevision(stream))(),
      readAll: (options) => guarded(() => store.readAll(options))(),
      headPosition: (options) => guarded(() => store.headPosition(options))(),
      close: () => store.close(),
      subscribeToAll(options): Subscription {
        outage.#check();
        const inner = store.subscribeToAll(options);
        let cutOff!: () => void;
        const ended = new Promise<"cut">((resolve) => (cutOff = () => resolve("cut")));
        outage.#open.add(cutOff);
        async function* follow() {
          const events = inner[Symbol.asyncIterator]();
          try {
            for (;;) {
              const next = events.next();
              next.catch(() => undefined);
              const result = await Promise.race([next, ended]);
              if (result === "cut") throw new EventStoreUnavailable("the event store subscription was dropped (test outage)");
              if (result.done) return;
              yield result.value;
            }
          } finally {
            outage.#open.delete(cutOff);
            await inner.close();
          }
        }
        const iterator = follow();
        return {
          [Symbol.asyncIterator]: () => iterator,
          async close() {
            outage.#open.delete(cutOff);
            // Ends a waiting iteration too: the store's own subscription finishes when closed.
            await inner.close();
          },
        };
      },
    };
  }

  checkpoints(checkpoints: CheckpointStore): CheckpointStore {
    return {
      load: async () => {
        this.#check();
        return checkpoints.load();
      },
      save: async (position) => {
        this.#check();
        return checkpoints.save(position);
      },
      close: () => checkpoints.close(),
    };
  }
}
