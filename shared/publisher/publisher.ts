/**
 * The publisher: follows the event store's global log from its checkpoint and publishes
 * each customer event to the bus, keyed by customer id. The event store is the outbox, so
 * there is no dual write: a crash repeats some messages (at least once), never loses one.
 */
import type { BusMessage, MessageBus } from "../bus/port.js";
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
  /** The messages of one event on this topic (by default its envelope: the events topic's). */
  encode?: (event: RecordedEvent) => BusMessage[];
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
  #stop!: () => void;
  readonly #stopping = new Promise<void>((resolve) => (this.#stop = resolve));

  constructor(options: PublisherOptions) {
    this.#options = { maxBatch: 500, retryDelayMs: 500, encode: (event) => [toBusMessage(event)], ...options };
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

  /**
   * Starts following the log in the background. A store that cannot be read yet (a server
   * still starting, an outage) is waited for, with backoff, and reported as a follow
   * failure meanwhile; the process never ends over it.
   */
  async start(): Promise<void> {
    this.#running = this.#run().catch((error: unknown) => {
      // Every expected failure is handled below; this is the last guard against a crash.
      this.#followFailure = failureSince(this.#followFailure, error, Date.now());
      this.#options.logger.error({ err: error }, "the publisher stopped following the event store after an unexpected error");
    });
  }

  async #run(): Promise<void> {
    if (await this.#loadCheckpoint()) await this.#followForever();
  }

  /** True once the checkpoint is read; false when stopped first. */
  async #loadCheckpoint(): Promise<boolean> {
    for (let attempt = 1; !this.#stopped; attempt += 1) {
      try {
        this.#position = await this.#options.checkpoints.load();
        if (attempt > 1) this.#options.logger.info({ attempts: attempt }, "publisher read its checkpoint; following the event store");
        this.#followFailure = undefined;
        return true;
      } catch (error) {
        this.#followFailure = failureSince(this.#followFailure, error, Date.now());
        this.#options.logger.warn({ err: error, attempt }, "publisher cannot read its checkpoint yet; waiting for the event store");
        await this.#pause(attempt);
      }
    }
    return false;
  }

  /** A growing pause between attempts (retryDelayMs doubled, at most 10 s), cut short by stop(). */
  async #pause(attempt: number): Promise<void> {
    const ms = Math.min(10_000, this.#options.retryDelayMs * 2 ** Math.min(attempt, 5));
    await Promise.race([new Promise((resolve) => setTimeout(resolve, ms)), this.#stopping]);
  }

  /**
   * Follows the log from the checkpoint; when the store's subscription fails, lets the events
   * already read be published, then follows again from the new checkpoint (nothing skipped,
   * nothing published twice).
   */
  async #followForever(): Promise<void> {
    let attempt = 0;
    while (!this.#stopped) {
      let subscription: Subscription | undefined;
      try {
        // Inside the try: a store that is down may refuse the subscription itself.
        subscription = this.#options.store.subscribeToAll({ after: this.#position, streamPrefixes: this.#options.streamPrefixes });
        this.#subscription = subscription;
        if ((await this.#follow(subscription)) > 0) attempt = 0;
      } catch (error) {
        if (this.#stopped) return;
        this.#followFailure = failureSince(this.#followFailure, error, Date.now());
        this.#options.logger.error({ err: error }, "publisher lost its event store subscription; following again from its checkpoint");
      }
      await subscription?.close().catch(() => undefined);
      await this.#flushing;
      if (this.#stopped) return;
      attempt += 1;
      await this.#pause(attempt);
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
    // Events at the head of the buffer already on the bus whose checkpoint is not saved yet:
    // while the checkpoint store is down only the save is retried, so an outage of the
    // store does not send the same batch again and again.
    let published = 0;
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, published > 0 ? published : this.#options.maxBatch);
      try {
        if (published === 0) {
          const messages = batch.flatMap(this.#options.encode);
          if (messages.length > 0) await this.#options.bus.publish(this.#options.topic, messages);
          published = batch.length;
        }
        await this.#options.checkpoints.save(batch.at(-1)!.position);
        this.#position = batch.at(-1)!.position;
        this.#publishFailure = undefined;
        this.#buffer.splice(0, batch.length);
        published = 0;
      } catch (error) {
        if (this.#stopped) break;
        this.#publishFailure = failureSince(this.#publishFailure, error, Date.now());
        const step = published > 0 ? "saving the checkpoint" : "publishing";
        this.#options.logger.warn({ err: error, events: batch.length }, `${step} failed; retrying`);
        await new Promise((resolve) => setTimeout(resolve, this.#options.retryDelayMs));
      }
    }
    this.#flushing = undefined;
  }

  /** Finishes the batch in flight, then stops following the log. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stop();
    await this.#subscription?.close().catch(() => undefined);
    await this.#running?.catch(() => undefined);
    await this.#flushing;
  }
}
