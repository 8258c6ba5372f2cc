/**
 * The projector: consumes customer and customer-group events from the bus and keeps the read
 * model up to date. Each stream has a document of its own (see port.ts), so the streams can
 * be applied in any order relative to each other.
 * Idempotent by stream revision: an event whose revision the document already reflects is
 * skipped, so redelivery (at least once) and replays change nothing.
 */
import type { BusSubscription, ConsumedMessage, MessageBus } from "../bus/port.js";
import { CUSTOMER_STREAM_PREFIX, type CustomerEvent } from "../customers/customer.js";
import { type EventEnvelope, aggregateIdOf, parseEnvelope } from "../events/envelope.js";
import { type OngoingFailure, failureSince } from "../health/report.js";
import type { Logger } from "../logger.js";
import { CUSTOMER_GROUP_STREAM_PREFIX, type CustomerGroupEvent } from "../customerGroups/group.js";
import { type CustomerDocument, projectCustomerEvent } from "./customerDocument.js";
import { type CustomerGroupDocument, projectCustomerGroupEvent } from "./customerGroupDocument.js";
import type { ReadModelNotice, ReadModelNoticePublisher } from "./notices.js";
import type { CustomerReadModel } from "./port.js";

/** The consumer group of the read-model projector: all projector processes share it. */
export const PROJECTOR_GROUP = "customers-read-model";

const PROJECTED_EVENT_TYPES = new Set<string>([
  "CustomerCreated",
  "CustomerCreationAbandoned",
  "CustomerUpdated",
  "CustomerDeleted",
  "CustomerErased",
  "CustomerAddressAdded",
  "CustomerAddressUpdated",
  "CustomerAddressRemoved",
  "CustomerAddedToGroup",
  "CustomerRemovedFromGroup",
  "CustomerGroupCreated",
  "CustomerGroupCreationAbandoned",
  "CustomerGroupUpdated",
  "CustomerGroupDeleted",
]);

const isProjectedStream = (stream: string): boolean => stream.startsWith(CUSTOMER_STREAM_PREFIX) || stream.startsWith(CUSTOMER_GROUP_STREAM_PREFIX);

export interface ProjectorOptions {
  bus: MessageBus;
  readModel: CustomerReadModel;
  topic: string;
  groupId: string;
  logger: Logger;
  /** Announces stored revisions to other processes (cluster mode). */
  notices?: ReadModelNoticePublisher;
  /**
   * Opens the personal fields of events that carry them sealed (as the event store keeps
   * them, and Kafka carries them): shared/eventstore/sealing.ts. Without it, events are
   * projected as they come (the embedded pipeline reads them opened already).
   */
  openData?: (type: string, data: unknown) => Promise<unknown>;
  /** Told after each batch is stored: how many events it held and the log position it reached (a rebuild's progress). */
  onBatch?: (events: number, position: string | undefined) => void;
}

export class Projector {
  readonly #options: ProjectorOptions;
  #subscription: BusSubscription | undefined;
  readonly #awaitedPositions = new Map<string, () => void>();
  #failure: OngoingFailure | undefined;

  constructor(options: ProjectorOptions) {
    this.#options = options;
  }

  get subscription(): BusSubscription | undefined {
    return this.#subscription;
  }

  /** Since when projecting has been failing (the read model unreachable, say), if it is. */
  get failure(): OngoingFailure | undefined {
    return this.#failure;
  }

  async start(): Promise<void> {
    this.#subscription = await this.#options.bus.subscribe(
      { topic: this.#options.topic, groupId: this.#options.groupId, fromBeginning: true },
      (messages) => this.#handle(messages),
    );
  }

  /**
   * One batch: read the documents it touches at once, apply its events in order in memory,
   * write the changed documents at once, then announce them. A failure anywhere throws, and
   * the bus delivers the batch again; what was already applied is skipped by revision.
   */
  async #handle(messages: ConsumedMessage[]): Promise<void> {
    const envelopes: EventEnvelope[] = [];
    for (const message of messages) {
      try {
        envelopes.push(parseEnvelope(message.value));
      } catch {
        this.#options.logger.warn({ topic: message.topic, offset: message.offset }, "skipping a message that is not an event envelope");
      }
    }
    const wanted = envelopes.filter((envelope) => PROJECTED_EVENT_TYPES.has(envelope.type) && isProjectedStream(envelope.stream));
    try {
      const relevant = await this.#opened(wanted);
      const notices = await this.#apply(relevant, envelopes.at(-1)?.position);
      this.#failure = undefined;
      await this.#options.notices?.announce(notices);
    } catch (error) {
      this.#failure = failureSince(this.#failure, error, Date.now());
      this.#options.logger.error({ err: error, events: wanted.length }, "projection failed; will retry");
      throw error;
    }
    this.#options.onBatch?.(envelopes.length, envelopes.at(-1)?.position);
    for (const envelope of envelopes) this.#awaitedPositions.get(envelope.position)?.();
  }

  async #opened(envelopes: EventEnvelope[]): Promise<EventEnvelope[]> {
    const { openData } = this.#options;
    if (!openData) return envelopes;
    return Promise.all(envelopes.map(async (envelope) => ({ ...envelope, data: await openData(envelope.type, envelope.data) })));
  }

  async #apply(envelopes: EventEnvelope[], position: string | undefined): Promise<ReadModelNotice[]> {
    const { readModel } = this.#options;
    const customers = applyInOrder<CustomerDocument, CustomerEvent>(
      envelopes.filter((envelope) => envelope.stream.startsWith(CUSTOMER_STREAM_PREFIX)),
      (ids) => readModel.customers.getMany(ids),
      projectCustomerEvent,
    );
    const groups = applyInOrder<CustomerGroupDocument, CustomerGroupEvent>(
      envelopes.filter((envelope) => envelope.stream.startsWith(CUSTOMER_GROUP_STREAM_PREFIX)),
      (ids) => readModel.groups.getMany(ids),
      projectCustomerGroupEvent,
    );
    const [customerResult, groupResult] = await Promise.all([customers, groups]);
    await readModel.saveBatch({ customers: customerResult.changes, groups: groupResult.changes, position });
    return [...customerResult.reached, ...groupResult.reached].map((document) => ({ id: document.id, revision: document.revision, document }));
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

/**
 * Applies one kind of stream's events, in order, to their documents: reads the documents
 * the events continue at once, and returns the changes to write and every document the
 * events reached (to announce, replays included).
 */
async function applyInOrder<D extends { id: string; revision: number }, E>(
  envelopes: EventEnvelope[],
  getMany: (ids: string[]) => Promise<Map<string, D>>,
  project: (document: D | null, event: E, revision: number) => D | null,
): Promise<{ changes: Array<{ document: D; previousRevision: number | null }>; reached: D[] }> {
  if (envelopes.length === 0) return { changes: [], reached: [] };
  // A stream's first event starts its document: there is nothing to read for it (a replay
  // of it is caught by the read model's guard instead).
  const continuing = envelopes.filter((envelope) => envelope.stream_revision > 0);
  const stored = await getMany([...new Set(continuing.map((envelope) => aggregateIdOf(envelope.stream)))]);
  const changes = new Map<string, { document: D; previousRevision: number | null }>();
  const reached = new Map<string, D>();
  for (const envelope of envelopes) {
    const id = aggregateIdOf(envelope.stream);
    const current = changes.get(id)?.document ?? stored.get(id) ?? null;
    if (current && current.revision >= envelope.stream_revision) {
      reached.set(id, current);
      continue;
    }
    const next = project(current, { type: envelope.type, data: envelope.data } as E, envelope.stream_revision);
    if (!next || next === current) continue;
    changes.set(id, { document: next, previousRevision: stored.get(id)?.revision ?? null });
    reached.set(id, next);
  }
  return { changes: [...changes.values()], reached: [...reached.values()] };
}
