/**
 * A read model in memory: documents in Maps, for tests that need one without a file.
 * Documents handed out are shared, never mutated: every change stores a new object. It keeps
 * no position, so a pipeline feeding it starts from the beginning of the log.
 */
import type { CustomerAddress } from "../customers/customer.js";
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";
import { addressPage } from "./addressPage.js";
import { type Query, type Sort, type Value, compareDocuments, matchesEverything, matchesQuery } from "./query.js";
import type { GlobalPosition } from "../eventstore/port.js";
import { type AddressListQuery, type Change, type CustomerReadModel, type DocumentCollection, type ListQuery, type Page, type ProjectedBatch, ReadModelRevisionGap } from "./port.js";
import { RevisionWaiters, waitForRevision } from "./revisionWaiters.js";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";

type Stored = { id: string; revision: number; deleted_at: string | null };

export class InMemoryReadModel implements CustomerReadModel {
  readonly customers = new InMemoryCollection<CustomerDocument>();
  readonly groups = new InMemoryCollection<CustomerGroupDocument>();
  #position: GlobalPosition | undefined;

  async listAddresses(query: AddressListQuery): Promise<Page<CustomerAddress>> {
    return addressPage(await this.customers.get(query.customerId), query);
  }

  async saveBatch({ customers, groups, position }: ProjectedBatch): Promise<void> {
    await this.customers.save(customers);
    await this.groups.save(groups);
    if (position !== undefined) this.#position = position;
  }

  /** Kept for the process's life only, as the documents are. */
  async projectedPosition(): Promise<GlobalPosition | undefined> {
    return this.#position;
  }

  async close(): Promise<void> {
    this.customers.close();
    this.groups.close();
  }
}

class InMemoryCollection<T extends Stored> implements DocumentCollection<T> {
  readonly #documents = new SortedDocuments<T>();
  readonly #waiters = new RevisionWaiters();

  async get(id: string): Promise<T | null> {
    return this.#documents.get(id) ?? null;
  }

  async getMany(ids: string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for (const id of ids) {
      const document = this.#documents.get(id);
      if (document) found.set(id, document);
    }
    return found;
  }

  list({ filter, sort, skip, limit }: ListQuery): Promise<Page<T>> {
    return list(this.#documents, filter, sort, skip, limit);
  }

  async distinct(field: string, filter: Query): Promise<Value[]> {
    const values = new Set<Value>();
    for (const document of await matching(this.#documents.live, filter)) {
      const value = (document as Record<string, unknown>)[field] as Value | Value[] | undefined;
      // As MongoDB's distinct: an array gives each element; a missing field, nothing.
      if (value !== undefined) for (const item of Array.isArray(value) ? value : [value]) values.add(item);
    }
    return [...values];
  }

  async save(changes: Change<T>[]): Promise<void> {
    for (const { document, previousRevision } of changes) {
      const stored = this.#documents.get(document.id);
      if (stored && stored.revision >= document.revision) continue;
      if ((stored?.revision ?? null) !== previousRevision) throw new ReadModelRevisionGap(document.id, stored?.revision ?? null, document.revision);
      this.#documents.set(document.id, document);
      this.#waiters.notify(document.id, document.revision);
    }
  }

  waitFor(id: string, revision: number, timeoutMs: number): Promise<T | null> {
    return waitForRevision(this.#waiters, () => this.get(id), id, revision, timeoutMs);
  }

  async ids(): Promise<string[]> {
    return this.#documents.ids();
  }

  close(): void {
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

/**
 * A scan of the live documents, with exactly MongoDB's semantics: fine for the data a
 * laptop holds. They are kept in id order, so the default order needs no sort, and a list
 * without a filter is a slice.
 */
async function list<T extends Stored>(documents: SortedDocuments<T>, filter: Query, sort: Sort, skip: number, limit: number): Promise<Page<T>> {
  const live = documents.live;
  const unfiltered = matchesEverything(filter);
  if (unfiltered && sort.field === "id") {
    const inOrder = sort.direction === 1 ? live : [...live].reverse();
    return { documents: inOrder.slice(skip, skip + limit), count: live.length };
  }
  const found = unfiltered ? [...live] : await matching(live, filter);
  if (sort.field === "id") {
    const inOrder = sort.direction === 1 ? found : found.reverse();
    return { documents: inOrder.slice(skip, skip + limit), count: found.length };
  }
  return { documents: found.sort(compareDocuments<T>(sort)).slice(skip, skip + limit), count: found.length };
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
