/**
 * How long a write waits for the read model to show it before answering from the events it
 * has just written (the same projection the read model applies, so both always agree).
 *
 * Normally a write waits up to READ_MODEL_WAIT_MS. Once one such wait has run out, the read
 * model is known to be behind (a projector, Kafka or MongoDB down or far behind): waiting the
 * whole window on every write would only make every client slow, so later writes look for a
 * short moment (`probeMs`) and answer from their events. A few writes in a row that the read
 * model shows within that moment end it (one alone may be a document stored just before the
 * outage). The write is stored either way; only the answer's source differs.
 */
import type { Logger } from "../logger.js";
import type { CustomerDocument } from "../readmodel/customerDocument.js";
import type { CustomerGroupDocument } from "../readmodel/customerGroupDocument.js";
import type { CustomerReadModel } from "../readmodel/port.js";

export interface ReadYourWritesOptions {
  readModel: CustomerReadModel;
  logger: Logger;
  /** READ_MODEL_WAIT_MS. */
  waitMs: number;
  /** The wait while the read model is known to be behind. */
  probeMs?: number;
}

/** Writes in a row shown within the probe that tell the read model is keeping up again. */
const SHOWN_IN_A_ROW = 3;

export class ReadYourWrites {
  readonly #options: Required<ReadYourWritesOptions>;
  #behind = false;
  #shownInARow = 0;

  constructor(options: ReadYourWritesOptions) {
    this.#options = { ...options, probeMs: Math.min(options.probeMs ?? 100, options.waitMs) };
  }

  /** Whether writes are currently answered after a short look only. */
  get behind(): boolean {
    return this.#behind;
  }

  /** The customer's document at or after `revision`, or null when the read model is not there yet. */
  customer(id: string, revision: number): Promise<CustomerDocument | null> {
    return this.#await((waitMs) => this.#options.readModel.waitForCustomer(id, revision, waitMs));
  }

  group(id: string, revision: number): Promise<CustomerGroupDocument | null> {
    return this.#await((waitMs) => this.#options.readModel.waitForGroup(id, revision, waitMs));
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
