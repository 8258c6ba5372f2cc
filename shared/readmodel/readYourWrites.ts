/**
 * Read-your-writes: a write is answered with its document as the read model shows it, at or
 * after the write's revision. When the read model does not show it in time, the document is
 * folded from the stream in the event store by the projection the read model applies (so
 * both always agree), and the answer says it came from the events.
 *
 * Normally a write waits up to READ_MODEL_WAIT_MS. Once one such wait has run out, the read
 * model is known to be behind (a projector, Kafka or MongoDB down or far behind): waiting the
 * whole window on every write would only make every client slow, so later writes look for a
 * short moment (`probeMs`) and answer from their events. A few writes in a row that the read
 * model shows within that moment end it (one alone may be a document stored just before the
 * outage). The write is stored either way; only the answer's source differs.
 */
import { customerStreamName } from "../customers/customer.js";
import { customerGroupStreamName } from "../customerGroups/group.js";
import { ConcurrentWriteConflict } from "../errors.js";
import { type Aggregate, loadStream } from "../eventstore/loadStream.js";
import type { EventStore } from "../eventstore/port.js";
import type { StreamStateCache } from "../eventstore/streamStateCache.js";
import type { Logger } from "../logger.js";
import { type CustomerDocument, projectCustomerEvent } from "./customerDocument.js";
import { type CustomerGroupDocument, projectCustomerGroupEvent } from "./customerGroupDocument.js";
import type { CustomerReadModel } from "./port.js";

export interface ReadYourWritesOptions {
  readModel: CustomerReadModel;
  /** Where a document is folded from when the read model is behind. */
  store: EventStore;
  /** Documents folded from the store, by revision, so a fallback reads only the newest events. */
  states?: StreamStateCache;
  logger: Logger;
  /** READ_MODEL_WAIT_MS. */
  waitMs: number;
  /** The wait while the read model is known to be behind. */
  probeMs?: number;
}

/** What a command wrote: the stream's id and its revision after the write. */
export interface WrittenRevision {
  id: string;
  revision: number;
}

export interface Shown<Document> {
  document: Document;
  /**
   * "read-model" when the document is the read model's, at or after the write; "events" when
   * the read model was still behind after the wait and it was folded from the event store.
   */
  source: "read-model" | "events";
}

const CUSTOMER_DOCUMENT: Aggregate<CustomerDocument | null, Parameters<typeof projectCustomerEvent>[1]> = {
  kind: "customer-document",
  evolve: projectCustomerEvent,
  initialState: () => null,
};
const GROUP_DOCUMENT: Aggregate<CustomerGroupDocument | null, Parameters<typeof projectCustomerGroupEvent>[1]> = {
  kind: "customer-group-document",
  evolve: projectCustomerGroupEvent,
  initialState: () => null,
};

/** Writes in a row shown within the probe that tell the read model is keeping up again. */
const SHOWN_IN_A_ROW = 3;

export class ReadYourWrites {
  readonly #options: ReadYourWritesOptions & { probeMs: number };
  #behind = false;
  #shownInARow = 0;

  constructor(options: ReadYourWritesOptions) {
    this.#options = { ...options, probeMs: Math.min(options.probeMs ?? 100, options.waitMs) };
  }

  /** Whether writes are currently answered after a short look only. */
  get behind(): boolean {
    return this.#behind;
  }

  /** The written customer's document: the read model's once it shows the write, else folded from its events. */
  async customer(written: WrittenRevision): Promise<Shown<CustomerDocument>> {
    const shown = await this.customerShown(written);
    return shown ? { document: shown, source: "read-model" } : { document: await this.#fold(customerStreamName(written.id), CUSTOMER_DOCUMENT), source: "events" };
  }

  async group(written: WrittenRevision): Promise<Shown<CustomerGroupDocument>> {
    const shown = await this.groupShown(written);
    return shown ? { document: shown, source: "read-model" } : { document: await this.#fold(customerGroupStreamName(written.id), GROUP_DOCUMENT), source: "events" };
  }

  /** The customer's document at or after the write's revision, or null when the read model is not there yet. */
  customerShown({ id, revision }: WrittenRevision): Promise<CustomerDocument | null> {
    return this.#await((waitMs) => this.#options.readModel.customers.waitFor(id, revision, waitMs));
  }

  groupShown({ id, revision }: WrittenRevision): Promise<CustomerGroupDocument | null> {
    return this.#await((waitMs) => this.#options.readModel.groups.waitFor(id, revision, waitMs));
  }

  async #fold<Document, Event extends { type: string; data: unknown }>(stream: string, aggregate: Aggregate<Document | null, Event>): Promise<Document> {
    const { state } = await loadStream(this.#options.store, stream, aggregate, this.#options.states);
    // A stream with no document to show was written by this request: only a fenced create comes to that.
    if (state === null) throw new ConcurrentWriteConflict(stream);
    return state;
  }

  async #await<T>(wait: (waitMs: number) => Promise<T | null>): Promise<T | null> {
    const { waitMs, probeMs, logger } = this.#options;
    const document = await wait(this.#behind ? probeMs : waitMs);
    this.#shownInARow = document ? this.#shownInARow + 1 : 0;
    if (this.#behind && this.#shownInARow >= SHOWN_IN_A_ROW) {
      this.#behind = false;
      logger.info({}, "the read model shows writes again; writes wait for it as usual");
    } else if (!document && !this.#behind) {
      this.#behind = true;
      logger.warn(
        { waited_ms: waitMs, probe_ms: probeMs },
        "the read model did not show a write in time; until it does, writes answer from their own events after a short look",
      );
    }
    return document;
  }
}
