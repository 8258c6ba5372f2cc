/**
 * MongoDB adapter of the read model (official driver): a `customers` and a
 * `customer_groups` collection, one document per stream keyed by its id, each guarded by
 * the stream revision it reflects (shared/readmodel/mongoDocuments.ts). Uses only what
 * FerretDB v1 also supports: no transactions, change streams, collations or $lookup.
 *
 * Other processes learn that a document has reached a revision through the projector's
 * notices (shared/readmodel/notices.ts), which call `notify`; a command service keeps the
 * documents of those notices, and of its reads, in a short-lived copy (recentDocuments.ts).
 */
import type { Db, Document, MongoClient } from "mongodb";
import type { CustomerAddress } from "../customers/customer.js";
import { connectMongo } from "../mongodb/connect.js";
import { addressPage } from "./addressPage.js";
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";
import { MongoDocuments, inParallel, metadataFromText, metadataToText } from "./mongoDocuments.js";
import type { GlobalPosition } from "../eventstore/port.js";
import { type AddressListQuery, type Change, type CustomerReadModel, type DocumentCollection, type ListQuery, type Page, type ProjectedBatch, ReadModelUnavailable } from "./port.js";
import type { Query, Value } from "./query.js";
import { RecentDocuments } from "./recentDocuments.js";
import { RevisionWaiters, waitForRevision } from "./revisionWaiters.js";
import { generationCollections } from "./mongoGenerations.js";

type StoredAddress = Omit<CustomerAddress, "metadata"> & { metadata: string | null };
type StoredCustomer = Omit<CustomerDocument, "id" | "metadata" | "addresses"> & { _id: string; metadata: string | null; addresses: StoredAddress[] };
type StoredGroup = Omit<CustomerGroupDocument, "id" | "metadata"> & { _id: string; metadata: string | null };

type AnyDocument = CustomerDocument | CustomerGroupDocument;

const DEFAULT_TIMEOUT_MS = 5_000;
/** A write has already waited for its notice; its last look at MongoDB is short. */
const FINAL_READ_MS = 1_000;

export class MongoReadModel implements CustomerReadModel {
  readonly customers: MongoCollection<CustomerDocument, StoredCustomer>;
  /** Groups are few and read on every `*groups`: the recent copy answers most lookups of many. */
  readonly groups: MongoCollection<CustomerGroupDocument, StoredGroup>;
  readonly #client: MongoClient;
  readonly #waiters: RevisionWaiters;
  /** Another generation waits on the same waiters: closing this one must not wake them. */
  #sharesWaits = false;
  /** Customers and groups by id (their id prefixes keep them apart). */
  readonly #recent: RecentDocuments<AnyDocument>;

  private constructor(client: MongoClient, db: Db, recent: RecentDocuments<AnyDocument>, waiters: RevisionWaiters, queryTimeMs: number, readonly generation: number) {
    this.#client = client;
    this.#recent = recent;
    this.#waiters = waiters;
    const shared = { waiters: this.#waiters, recent: recent as RecentDocuments<never> };
    const names = generationCollections(generation);
    this.customers = new MongoCollection(
      new MongoDocuments(db.collection<StoredCustomer>(names.customers), { toStored: customerToStored, fromStored: customerFromStored }, queryTimeMs),
      { ...shared, recentAnswersMany: false },
    );
    this.groups = new MongoCollection(
      new MongoDocuments(db.collection<StoredGroup>(names.groups), { toStored: groupToStored, fromStored: groupFromStored }, queryTimeMs),
      { ...shared, recentAnswersMany: true },
    );
  }

  /**
   * `cache`: keep recent documents in this process (command services); off by default.
   * `timeoutMs`: the most any one MongoDB operation may wait (connectMongo).
   * `generation`: whose collections (mongoGenerations.ts); 0, the first, by default.
   * `sharing`: another generation's read model whose recent documents and waits this one
   * shares (a command service switching generations keeps what it knows, and never answers
   * older than it did).
   * `queryTimeMs`: the server-side bound of a list (`maxTimeMS`); by default a little under
   * `timeoutMs`, so that the server's own answer (and its connection) comes back first.
   */
  static async connect(
    url: string,
    database: string,
    options: { cache?: { maxDocuments: number; ttlMs: number }; timeoutMs?: number; queryTimeMs?: number; generation?: number; sharing?: MongoReadModel } = {},
  ): Promise<MongoReadModel> {
    const { cache = { maxDocuments: 0, ttlMs: 0 }, timeoutMs = DEFAULT_TIMEOUT_MS, generation = 0 } = options;
    const queryTimeMs = options.queryTimeMs ?? Math.max(50, Math.floor(timeoutMs * 0.8));
    const client = await connectMongo(url, timeoutMs);
    const { sharing } = options;
    const recent = sharing ? sharing.#recent : new RecentDocuments<AnyDocument>(cache.maxDocuments, cache.ttlMs);
    const waiters = sharing ? sharing.#waiters : new RevisionWaiters();
    const readModel = new MongoReadModel(client, client.db(database), recent, waiters, queryTimeMs, generation);
    if (sharing) {
      sharing.#sharesWaits = true;
      readModel.#sharesWaits = true;
    }
    await readModel.#ensureIndexes();
    return readModel;
  }

  async #ensureIndexes(): Promise<void> {
    // Every list filters out deleted documents; then each filter and order the API offers.
    // One createIndex at a time: FerretDB 1.24 breaks the connection when createIndexes
    // names several indexes that already exist.
    const customerFields = ["email", "company_name", "first_name", "last_name", "phone", "created_by", "has_account", "created_at", "updated_at", "group_ids"];
    const groupFields = ["name", "created_by", "created_at", "updated_at"];
    for (const [collection, fields] of [
      [this.customers, customerFields],
      [this.groups, groupFields],
    ] as const) {
      await collection.documents.collection.createIndex({ deleted_at: 1, _id: 1 }, { name: "live_by_id" });
      for (const field of fields) await collection.documents.collection.createIndex({ deleted_at: 1, [field]: 1, _id: 1 }, { name: `live_by_${field}` });
    }
  }

  async listAddresses(query: AddressListQuery): Promise<Page<CustomerAddress>> {
    return addressPage(await this.customers.get(query.customerId), query);
  }

  /** The two collections are written side by side; the batch's position is the Kafka offsets' business, not this read model's. */
  async saveBatch({ customers, groups }: ProjectedBatch): Promise<void> {
    await Promise.all([this.customers.save(customers), this.groups.save(groups)]);
  }

  async projectedPosition(): Promise<GlobalPosition | undefined> {
    return undefined;
  }

  /** The read model now holds `document` (a projector said so). */
  notify(document: AnyDocument): void {
    this.#recent.remember(document);
    this.#waiters.notify(document.id, document.revision);
  }

  async close(): Promise<void> {
    if (!this.#sharesWaits) this.#waiters.releaseAll();
    await this.#client.close();
  }
}

/**
 * One collection as the port sees it: MongoDocuments for the reads and writes, and, in a
 * command service, the recent documents the projector's notices brought, which answer reads
 * and waits before MongoDB is asked.
 */
class MongoCollection<T extends AnyDocument, S extends Document & { _id: string; revision: number }> implements DocumentCollection<T> {
  constructor(
    readonly documents: MongoDocuments<T, S>,
    private readonly shared: { waiters: RevisionWaiters; recent: RecentDocuments<T>; recentAnswersMany: boolean },
  ) {}

  async get(id: string): Promise<T | null> {
    const recent = this.shared.recent.get(id);
    if (recent) return recent;
    const document = await this.documents.get(id);
    if (document) this.shared.recent.remember(document);
    return document;
  }

  async getMany(ids: string[]): Promise<Map<string, T>> {
    if (!this.shared.recentAnswersMany) return this.documents.getMany(ids);
    const found = await inParallel(ids, (id) => this.get(id));
    return new Map(found.filter((document) => document !== null).map((document) => [document.id, document]));
  }

  list({ filter, sort, skip, limit }: ListQuery): Promise<Page<T>> {
    return this.documents.list(filter, sort, skip, limit);
  }

  distinct(field: string, filter: Query): Promise<Value[]> {
    return this.documents.distinct(field, filter);
  }

  save(changes: Change<T>[]): Promise<void> {
    return this.documents.saveMany(changes);
  }

  ids(): Promise<string[]> {
    return this.documents.ids();
  }

  /**
   * With the recent-documents copy on, a notice that came before the wait began is found
   * there, so MongoDB is read only when the wait runs out (for the final word, which may
   * take FINAL_READ_MS at most, and no more than half the wait itself). A read model that cannot be read counts as "not there yet":
   * the write is stored, and its caller answers from the written events.
   */
  async waitFor(id: string, revision: number, timeoutMs: number): Promise<T | null> {
    const { waiters, recent } = this.shared;
    try {
      if (!recent.enabled) return await waitForRevision(waiters, () => this.documents.get(id), id, revision, timeoutMs);
      const notified = await waitForRevision(waiters, async () => recent.get(id) ?? null, id, revision, timeoutMs);
      if (notified) return notified;
      const document = await withDeadline(this.documents.get(id), Math.min(FINAL_READ_MS, timeoutMs / 2));
      if (!document || document.revision < revision) return null;
      // Kept like a read's: this process has shown it, and must not answer older afterwards
      // (a rebuilt generation that serves next may not have it yet).
      recent.remember(document);
      return document;
    } catch (error) {
      if (error instanceof ReadModelUnavailable) return null;
      throw error;
    }
  }
}

function customerToStored(document: CustomerDocument): StoredCustomer {
  const { id, ...rest } = document;
  return {
    _id: id,
    ...rest,
    metadata: metadataToText(document.metadata),
    addresses: document.addresses.map((address) => ({ ...address, metadata: metadataToText(address.metadata) })),
  };
}

function customerFromStored(stored: StoredCustomer): CustomerDocument {
  const { _id, ...rest } = stored;
  return {
    id: _id,
    ...rest,
    metadata: metadataFromText(stored.metadata),
    addresses: (stored.addresses ?? []).map((address) => ({ ...address, metadata: metadataFromText(address.metadata) })),
    group_ids: stored.group_ids ?? [],
    default_billing_address_id: stored.default_billing_address_id ?? null,
    default_shipping_address_id: stored.default_shipping_address_id ?? null,
  } as CustomerDocument;
}

function groupToStored(document: CustomerGroupDocument): StoredGroup {
  const { id, ...rest } = document;
  return { _id: id, ...rest, metadata: metadataToText(document.metadata) };
}

function groupFromStored(stored: StoredGroup): CustomerGroupDocument {
  const { _id, ...rest } = stored;
  return { id: _id, ...rest, metadata: metadataFromText(stored.metadata) };
}

/** `promise`, or ReadModelUnavailable once `ms` have passed (the operation itself goes on). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReadModelUnavailable(new Error(`no answer within ${ms} ms`))), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
