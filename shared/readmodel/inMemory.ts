/**
 * Embedded read model: documents in Maps. Documents handed out are shared, never
 * mutated: every change stores a new object. It is rebuilt from the event store at start
 * (shared/runtime/embedded.ts), so it needs no file of its own.
 */
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";
import { addressPage } from "./addressPage.js";
import { type Query, type Sort, compareDocuments, matchesEverything, matchesQuery } from "./query.js";
import {
  type AddressListQuery,
  type AddressPage,
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
import { setImmediate as yieldToEventLoop } from "node:timers/promises";

type Stored = { id: string; revision: number; deleted_at: string | null };

export class InMemoryReadModel implements CustomerReadModel {
  readonly #customers = new SortedDocuments<CustomerDocument>();
  readonly #groups = new SortedDocuments<CustomerGroupDocument>();
  readonly #waiters = new RevisionWaiters();

  async getCustomer(id: string): Promise<CustomerDocument | null> {
    return this.#customers.get(id) ?? null;
  }

  async getCustomers(ids: string[]): Promise<Map<string, CustomerDocument>> {
    return pick(this.#customers, ids);
  }

  async listCustomers({ filter, sort, skip, limit }: CustomerListQuery): Promise<CustomerPage> {
    const { page, count } = await list(this.#customers, filter, sort, skip, limit);
    return { customers: page, count };
  }

  async listAddresses(query: AddressListQuery): Promise<AddressPage> {
    return addressPage(await this.getCustomer(query.customerId), query);
  }

  async groupIdsOfCustomers(filter: Query): Promise<string[]> {
    const ids = new Set<string>();
    for (const customer of await matching(this.#customers.live, filter)) for (const id of customer.group_ids) ids.add(id);
    return [...ids];
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
    const { page, count } = await list(this.#groups, filter, sort, skip, limit);
    return { groups: page, count };
  }

  async saveGroups(changes: CustomerGroupChange[]): Promise<void> {
    for (const change of changes) this.#save(this.#groups, change.document, change.previousRevision);
  }

  waitForGroup(id: string, revision: number, timeoutMs: number): Promise<CustomerGroupDocument | null> {
    return waitForRevision(this.#waiters, () => this.getGroup(id), id, revision, timeoutMs);
  }

  async documentIds(): Promise<{ customers: string[]; groups: string[] }> {
    return { customers: this.#customers.ids(), groups: this.#groups.ids() };
  }

  #save<T extends Stored>(documents: SortedDocuments<T>, document: T, previousRevision: number | null): SaveOutcome {
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

/**
 * Documents by id, with the ids also kept in order: lists are ordered by id unless asked
 * otherwise, and walking a sorted array spares sorting every document on every request.
 */
class SortedDocuments<T extends Stored> {
  readonly #byId = new Map<string, T>();
  /** The live (not deleted) documents, by id ascending: every list reads these. */
  readonly #live: T[] = [];

  get(id: string): T | undefined {
    return this.#byId.get(id);
  }

  set(id: string, document: T): void {
    const index = insertionPoint(this.#live, id);
    const present = this.#live[index]?.id === id;
    if (document.deleted_at !== null) {
      if (present) this.#live.splice(index, 1);
    } else if (present) this.#live[index] = document;
    else this.#live.splice(index, 0, document);
    this.#byId.set(id, document);
  }

  ids(): string[] {
    return [...this.#byId.keys()];
  }

  /** Live documents by id ascending; not to be changed by the caller. */
  get live(): readonly T[] {
    return this.#live;
  }
}

/** Where `id` is, or would go, in documents sorted by id. */
function insertionPoint(sorted: Stored[], id: string): number {
  // Ids are time-ordered, so a new one almost always goes at the end.
  if (sorted.length === 0 || sorted[sorted.length - 1]!.id < id) return sorted.length;
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]!.id < id) low = middle + 1;
    else high = middle;
  }
  return low;
}

function pick<T extends Stored>(documents: SortedDocuments<T>, ids: string[]): Map<string, T> {
  const found = new Map<string, T>();
  for (const id of ids) {
    const document = documents.get(id);
    if (document) found.set(id, document);
  }
  return found;
}

/**
 * A scan of the live documents, with exactly MongoDB's semantics: fine for the data a
 * laptop holds. They are kept in id order, so the default order needs no sort, and a list
 * without a filter is a slice.
 */
async function list<T extends Stored>(documents: SortedDocuments<T>, filter: Query, sort: Sort, skip: number, limit: number): Promise<{ page: T[]; count: number }> {
  const live = documents.live;
  const unfiltered = matchesEverything(filter);
  if (unfiltered && sort.field === "id") {
    const inOrder = sort.direction === 1 ? live : [...live].reverse();
    return { page: inOrder.slice(skip, skip + limit), count: live.length };
  }
  const found = unfiltered ? [...live] : await matching(live, filter);
  if (sort.field === "id") {
    const inOrder = sort.direction === 1 ? found : found.reverse();
    return { page: inOrder.slice(skip, skip + limit), count: found.length };
  }
  return { page: found.sort(compareDocuments<T>(sort)).slice(skip, skip + limit), count: found.length };
}

/** Documents tested against a filter between two turns of the event loop. */
const SCAN_SLICE = 1000;

/**
 * The documents matching `filter`, in their order, tested a slice at a time with a turn of
 * the event loop between slices: a filter that is slow on every document (a long pattern on
 * long texts) delays other requests by one slice, not by the whole scan. The scan runs over
 * a copy, so writes in between neither skip nor repeat a document.
 */
async function matching<T extends Stored>(live: readonly T[], filter: Query): Promise<T[]> {
  const documents = live.slice();
  const found: T[] = [];
  for (let start = 0; start < documents.length; start += SCAN_SLICE) {
    if (start > 0) await yieldToEventLoop();
    const end = Math.min(documents.length, start + SCAN_SLICE);
    for (let index = start; index < end; index += 1) if (matchesQuery(documents[index]!, filter)) found.push(documents[index]!);
  }
  return found;
}
