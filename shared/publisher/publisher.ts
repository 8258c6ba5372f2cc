/**
 * The publisher: follows the event store's global log from its checkpoint and publishes
 * each customer event to the bus, keyed by customer id. The event store is the outbox, so
 * there is no dual write: a crash repeats some messages (at least once), never loses one.
 */
import type { MessageBus } from "../bus/port.js";
import type { EventStore, GlobalPosition, RecordedEvent, Subscription } from "../eventstore/port.js";
import { toBusMessage } from "../events/envelope.js";
import type { Logger } from "../logger.js";
import type { CheckpointStore } from "../checkpoints/port.js";
import { type OngoingFailure, failureSince } from "../health/report.js";

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
  #position: GlobalPosition | undefined;
  #publishFailure: OngoingFailure | undefined;
  #followFailure: OngoingFailure | undefined;

  constructor(options: PublisherOptions) {
    this.#options = { maxBatch: 500, retryDelayMs: 500, ...options };
  }

  /** The position of the last event published (and checkpointed); undefined before the first. */
  get position(): GlobalPosition | undefined {
    return this.#position;
  }

  /** Since when publishing to the bus has been failing, if it is. */
  get publishFailure(): OngoingFailure | undefined {
    return this.#publishFailure;
  }

  /** Since when following the event store has been failing, if it is. */
  get followFailure(): OngoingFailure | undefined {
    return this.#followFailure;
  }

  async start(): Promise<void> {
    this.#position = await this.#options.checkpoints.load();
    this.#running = this.#followForever();
  }

  /**
   * Follows the log from the checkpoint; when the store's subscription fails, lets the events
   * already read be published, then follows again from the new checkpoint (nothing skipped,
   * nothing published twice).
   */
  async #followForever(): Promise<void> {
    let attempt = 0;
    while (!this.#stopped) {
      const subscription = this.#options.store.subscribeToAll({ after: this.#position, streamPrefixes: this.#options.streamPrefixes });
      this.#subscription = subscription;
      try {
        if ((await this.#follow(subscription)) > 0) attempt = 0;
      } catch (error) {
        if (this.#stopped) return;
        this.#followFailure = failureSince(this.#followFailure, error, Date.now());
        this.#options.logger.error({ err: error }, "publisher lost its event store subscription; following again from its checkpoint");
      }
      await subscription.close().catch(() => undefined);
      await this.#flushing;
      if (this.#stopped) return;
      attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, this.#options.retryDelayMs * 2 ** Math.min(attempt, 5))));
    }
  }

  /** Returns how many events it read before the subscription ended. */
  async #follow(subscription: Subscription): Promise<number> {
    let read = 0;
    for await (const event of subscription) {
      read += 1;
      this.#followFailure = undefined;
      this.#buffer.push(event);
      this.#flushing ??= this.#drain();
      // Backpressure: do not read further ahead than one batch while the bus is slow.
      if (this.#buffer.length >= this.#options.maxBatch) await this.#flushing;
    }
    return read;
  }

  async #drain(): Promise<void> {
    // Start on the next tick so events read in the same burst go out together.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, this.#options.maxBatch);
      try {
        await this.#options.bus.publish(this.#options.topic, batch.map(toBusMessage));
        await this.#options.checkpoints.save(batch.at(-1)!.position);
        this.#position = batch.at(-1)!.position;
        this.#publishFailure = undefined;
        this.#buffer.splice(0, batch.length);
      } catch (error) {
        if (this.#stopped) break;
        this.#publishFailure = failureSince(this.#publishFailure, error, Date.now());
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
