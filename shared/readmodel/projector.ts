/**
 * The projector: consumes customer events from the bus and keeps the read model up to date.
 * Idempotent by stream revision: an event whose revision the document already reflects is
 * skipped, so redelivery (at least once) and replays change nothing.
 */
import type { BusSubscription, ConsumedMessage, MessageBus } from "../bus/port.js";
import { CUSTOMER_STREAM_PREFIX, type CustomerEvent } from "../customers/customer.js";
import { type EventEnvelope, aggregateIdOf, parseEnvelope } from "../events/envelope.js";
import type { Logger } from "../logger.js";
import { projectCustomerEvent } from "./customerDocument.js";
import type { ReadModelNotice, ReadModelNoticePublisher } from "./notices.js";
import type { CustomerReadModel } from "./port.js";

/** The consumer group of the read-model projector: all projector processes share it. */
export const PROJECTOR_GROUP = "customers-read-model";

const CUSTOMER_EVENT_TYPES = new Set<string>(["CustomerCreated", "CustomerCreationAbandoned"]);

export interface ProjectorOptions {
  bus: MessageBus;
  readModel: CustomerReadModel;
  topic: string;
  groupId: string;
  logger: Logger;
  /** Announces stored revisions to other processes (cluster mode). */
  notices?: ReadModelNoticePublisher;
}

export class Projector {
  readonly #options: ProjectorOptions;
  #subscription: BusSubscription | undefined;
  readonly #awaitedPositions = new Map<string, () => void>();

  constructor(options: ProjectorOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    this.#subscription = await this.#options.bus.subscribe(
      { topic: this.#options.topic, groupId: this.#options.groupId, fromBeginning: true },
      (messages) => this.#handle(messages),
    );
  }

  async #handle(messages: ConsumedMessage[]): Promise<void> {
    const stored: ReadModelNotice[] = [];
    for (const message of messages) {
      let envelope: EventEnvelope;
      try {
        envelope = parseEnvelope(message.value);
      } catch {
        this.#options.logger.warn({ topic: message.topic, offset: message.offset }, "skipping a message that is not an event envelope");
        continue;
      }
      try {
        const notice = await this.applyEnvelope(envelope);
        if (notice) stored.push(notice);
      } catch (error) {
        this.#options.logger.error({ err: error, stream: envelope.stream, revision: envelope.stream_revision }, "projection failed; will retry");
        throw error;
      }
      this.#awaitedPositions.get(envelope.position)?.();
    }
    await this.#options.notices?.announce(stored);
  }

  /**
   * Applies one published event to the read model (also used to rebuild from the store).
   * Returns what the read model now holds for that customer, if anything.
   */
  async applyEnvelope(envelope: EventEnvelope): Promise<ReadModelNotice | undefined> {
    if (!envelope.stream.startsWith(CUSTOMER_STREAM_PREFIX) || !CUSTOMER_EVENT_TYPES.has(envelope.type)) return undefined;
    const { readModel } = this.#options;
    const id = aggregateIdOf(envelope.stream);
    const current = await readModel.getCustomer(id);
    if (current && current.revision >= envelope.stream_revision) return { id, revision: current.revision };
    const event = { type: envelope.type, data: envelope.data } as CustomerEvent;
    const next = projectCustomerEvent(current, event, envelope.stream_revision);
    if (!next || next === current) return undefined;
    await readModel.saveCustomer(next, current?.revision ?? null);
    return { id, revision: next.revision };
  }

  /**
   * Resolves once the event at `position` has been applied. Ask before that event can
   * arrive (before start), since positions already applied are not remembered.
   */
  caughtUpTo(position: string): Promise<void> {
    return new Promise((resolve) => {
      this.#awaitedPositions.set(position, () => {
        this.#awaitedPositions.delete(position);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    await this.#subscription?.close();
  }
}
