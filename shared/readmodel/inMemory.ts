/**
 * Embedded read model: documents in a Map. Documents handed out are shared, never
 * mutated: every change stores a new object. It is rebuilt from the event store at start
 * (shared/runtime/embedded.ts), so it needs no file of its own.
 */
import type { CustomerDocument } from "./customerDocument.js";
import { compareDocuments, matchesFilter } from "./filter.js";
import {
  type CustomerChange,
  type CustomerListQuery,
  type CustomerPage,
  type CustomerReadModel,
  type SaveOutcome,
  ReadModelRevisionGap,
} from "./port.js";
import { RevisionWaiters, waitForRevision } from "./revisionWaiters.js";

export class InMemoryReadModel implements CustomerReadModel {
  readonly #customers = new Map<string, CustomerDocument>();
  readonly #waiters = new RevisionWaiters();

  async getCustomer(id: string): Promise<CustomerDocument | null> {
    return this.#customers.get(id) ?? null;
  }

  async getCustomers(ids: string[]): Promise<Map<string, CustomerDocument>> {
    const found = new Map<string, CustomerDocument>();
    for (const id of ids) {
      const document = this.#customers.get(id);
      if (document) found.set(id, document);
    }
    return found;
  }

  /** A scan of every document: fine for the data a laptop holds, and exactly MongoDB's semantics. */
  async listCustomers({ filter, sort, skip, limit }: CustomerListQuery): Promise<CustomerPage> {
    const matching: CustomerDocument[] = [];
    for (const document of this.#customers.values()) {
      if (document.deleted_at === null && matchesFilter(document, filter)) matching.push(document);
    }
    matching.sort(compareDocuments<CustomerDocument>(sort));
    return { customers: matching.slice(skip, skip + limit), count: matching.length };
  }

  async saveCustomers(changes: CustomerChange[]): Promise<void> {
    for (const change of changes) await this.saveCustomer(change.document, change.previousRevision);
  }

  async saveCustomer(document: CustomerDocument, previousRevision: number | null): Promise<SaveOutcome> {
    const stored = this.#customers.get(document.id);
    if (stored && stored.revision >= document.revision) return "already-applied";
    if ((stored?.revision ?? null) !== previousRevision) {
      throw new ReadModelRevisionGap(document.id, stored?.revision ?? null, document.revision);
    }
    this.#customers.set(document.id, document);
    this.#waiters.notify(document.id, document.revision);
    return "saved";
  }

  waitForCustomer(id: string, revision: number, timeoutMs: number): Promise<CustomerDocument | null> {
    return waitForRevision(this.#waiters, () => this.getCustomer(id), id, revision, timeoutMs);
  }

  async close(): Promise<void> {
    this.#waiters.releaseAll();
  }
}
