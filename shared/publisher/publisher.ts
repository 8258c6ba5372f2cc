/**
 * The publisher: follows the event store's global log from its checkpoint and publishes
 * each customer event to the bus, keyed by customer id. The event store is the outbox, so
 * there is no dual write: a crash repeats some messages (at least once), never loses one.
 */
import type { MessageBus } from "../bus/port.js";
import type { EventStore, RecordedEvent, Subscription } from "../eventstore/port.js";
import { toBusMessage } from "../events/envelope.js";
import type { Logger } from "../logger.js";
import type { CheckpointStore } from "../checkpoints/port.js";

export interface PublisherOptions {
  store: EventStore;
  bus: MessageBus;
  checkpoints: CheckpointStore;
  topic: string;
  streamPrefixes: string[];
  logger: Logger;
  maxBatch?: number;
  retryDelayMs?: number;
}

export class Publisher {
  readonly #options: Required<PublisherOptions>;
  #subscription: Subscription | undefined;
  #running: Promise<void> | undefined;
  #buffer: RecordedEvent[] = [];
  #flushing: Promise<void> | undefined;
  #stopped = false;

  constructor(options: PublisherOptions) {
    this.#options = { maxBatch: 500, retryDelayMs: 500, ...options };
  }

  async start(): Promise<void> {
    const after = await this.#options.checkpoints.load();
    this.#subscription = this.#options.store.subscribeToAll({ after, streamPrefixes: this.#options.streamPrefixes });
    this.#running = this.#follow(this.#subscription);
  }

  async #follow(subscription: Subscription): Promise<void> {
    try {
      for await (const event of subscription) {
        this.#buffer.push(event);
        this.#flushing ??= this.#drain();
        // Backpressure: do not read further ahead than one batch while the bus is slow.
        if (this.#buffer.length >= this.#options.maxBatch) await this.#flushing;
      }
    } catch (error) {
      if (!this.#stopped) this.#options.logger.error({ err: error }, "publisher lost its event store subscription");
      throw error;
    }
  }

  async #drain(): Promise<void> {
    // Start on the next tick so events read in the same burst go out together.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, this.#options.maxBatch);
      try {
        await this.#options.bus.publish(this.#options.topic, batch.map(toBusMessage));
        await this.#options.checkpoints.save(batch.at(-1)!.position);
        this.#buffer.splice(0, batch.length);
      } catch (error) {
        if (this.#stopped) break;
        this.#options.logger.warn({ err: error, events: batch.length }, "publishing failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, this.#options.retryDelayMs));
      }
    }
    this.#flushing = undefined;
  }

  /** Finishes the batch in flight, then stops following the log. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#subscription?.close();
    await this.#running?.catch(() => undefined);
    await this.#flushing;
  }
}
