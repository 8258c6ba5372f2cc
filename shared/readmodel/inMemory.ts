/**
 * Embedded read model: documents in Maps. Documents handed out are shared, never
 * mutated: every change stores a new object. It is rebuilt from the event store at start
 * (shared/runtime/embedded.ts), so it needs no file of its own.
 */
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";
import { type Filter, type Sort, compareDocuments, matchesFilter } from "./filter.js";
import {
  type CustomerChange,
  type CustomerGroupChange,
  type CustomerGroupListQuery,
  type CustomerGroupPage,
  type CustomerListQuery,
  type CustomerPage,
  type CustomerReadModel,
  type SaveOutcome,
  ReadModelRevisionGap,
} from "./port.js";
import { RevisionWaiters, waitForRevision } from "./revisionWaiters.js";

type Stored = { id: string; revision: number; deleted_at: string | null };

export class InMemoryReadModel implements CustomerReadModel {
  readonly #customers = new Map<string, CustomerDocument>();
  readonly #groups = new Map<string, CustomerGroupDocument>();
  readonly #waiters = new RevisionWaiters();

  async getCustomer(id: string): Promise<CustomerDocument | null> {
    return this.#customers.get(id) ?? null;
  }

  async getCustomers(ids: string[]): Promise<Map<string, CustomerDocument>> {
    return pick(this.#customers, ids);
  }

  async listCustomers({ filter, sort, skip, limit }: CustomerListQuery): Promise<CustomerPage> {
    const { page, count } = list(this.#customers, filter, sort, skip, limit);
    return { customers: page, count };
  }

  async saveCustomers(changes: CustomerChange[]): Promise<void> {
    for (const change of changes) await this.saveCustomer(change.document, change.previousRevision);
  }

  async saveCustomer(document: CustomerDocument, previousRevision: number | null): Promise<SaveOutcome> {
    return this.#save(this.#customers, document, previousRevision);
  }

  waitForCustomer(id: string, revision: number, timeoutMs: number): Promise<CustomerDocument | null> {
    return waitForRevision(this.#waiters, () => this.getCustomer(id), id, revision, timeoutMs);
  }

  async getGroup(id: string): Promise<CustomerGroupDocument | null> {
    return this.#groups.get(id) ?? null;
  }

  async getGroups(ids: string[]): Promise<Map<string, CustomerGroupDocument>> {
    return pick(this.#groups, ids);
  }

  async listGroups({ filter, sort, skip, limit }: CustomerGroupListQuery): Promise<CustomerGroupPage> {
    const { page, count } = list(this.#groups, filter, sort, skip, limit);
    return { groups: page, count };
  }

  async saveGroups(changes: CustomerGroupChange[]): Promise<void> {
    for (const change of changes) this.#save(this.#groups, change.document, change.previousRevision);
  }

  waitForGroup(id: string, revision: number, timeoutMs: number): Promise<CustomerGroupDocument | null> {
    return waitForRevision(this.#waiters, () => this.getGroup(id), id, revision, timeoutMs);
  }

  #save<T extends Stored>(documents: Map<string, T>, document: T, previousRevision: number | null): SaveOutcome {
    const stored = documents.get(document.id);
    if (stored && stored.revision >= document.revision) return "already-applied";
    if ((stored?.revision ?? null) !== previousRevision) {
      throw new ReadModelRevisionGap(document.id, stored?.revision ?? null, document.revision);
    }
    documents.set(document.id, document);
    this.#waiters.notify(document.id, document.revision);
    return "saved";
  }

  async close(): Promise<void> {
    this.#waiters.releaseAll();
  }
}

function pick<T>(documents: Map<string, T>, ids: string[]): Map<string, T> {
  const found = new Map<string, T>();
  for (const id of ids) {
    const document = documents.get(id);
    if (document) found.set(id, document);
  }
  return found;
}

/** A scan of every document: fine for the data a laptop holds, and exactly MongoDB's semantics. */
function list<T extends Stored>(documents: Map<string, T>, filter: Filter, sort: Sort, skip: number, limit: number): { page: T[]; count: number } {
  const matching: T[] = [];
  for (const document of documents.values()) {
    if (document.deleted_at === null && matchesFilter(document, filter)) matching.push(document);
  }
  matching.sort(compareDocuments<T>(sort));
  return { page: matching.slice(skip, skip + limit), count: matching.length };
}
