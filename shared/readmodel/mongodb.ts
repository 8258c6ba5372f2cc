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
import type { Db, MongoClient } from "mongodb";
import type { CustomerAddress } from "../customers/customer.js";
import { connectMongo } from "../mongodb/connect.js";
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";
import { addressPage } from "./addressPage.js";
import type { Query } from "./query.js";
import { MongoDocuments, inParallel, metadataFromText, metadataToText } from "./mongoDocuments.js";
import type {
  AddressListQuery,
  AddressPage,
  CustomerChange,
  CustomerGroupChange,
  CustomerGroupListQuery,
  CustomerGroupPage,
  CustomerListQuery,
  CustomerPage,
  CustomerReadModel,
  SaveOutcome,
} from "./port.js";
import { ReadModelUnavailable } from "./port.js";
import { RecentDocuments } from "./recentDocuments.js";
import { RevisionWaiters, waitForRevision } from "./revisionWaiters.js";

type StoredAddress = Omit<CustomerAddress, "metadata"> & { metadata: string | null };
type StoredCustomer = Omit<CustomerDocument, "id" | "metadata" | "addresses"> & { _id: string; metadata: string | null; addresses: StoredAddress[] };
type StoredGroup = Omit<CustomerGroupDocument, "id" | "metadata"> & { _id: string; metadata: string | null };

type AnyDocument = CustomerDocument | CustomerGroupDocument;

const DEFAULT_TIMEOUT_MS = 5_000;
/** A write has already waited for its notice; its last look at MongoDB is short. */
const FINAL_READ_MS = 1_000;

export class MongoReadModel implements CustomerReadModel {
  readonly #client: MongoClient;
  readonly #customers: MongoDocuments<CustomerDocument, StoredCustomer>;
  readonly #groups: MongoDocuments<CustomerGroupDocument, StoredGroup>;
  readonly #waiters = new RevisionWaiters();
  /** Customers and groups by id (their id prefixes keep them apart). */
  readonly #recent: RecentDocuments<AnyDocument>;

  private constructor(client: MongoClient, db: Db, recent: RecentDocuments<AnyDocument>, queryTimeMs: number) {
    this.#client = client;
    this.#customers = new MongoDocuments(db.collection<StoredCustomer>("customers"), { toStored: customerToStored, fromStored: customerFromStored }, queryTimeMs);
    this.#groups = new MongoDocuments(db.collection<StoredGroup>("customer_groups"), { toStored: groupToStored, fromStored: groupFromStored }, queryTimeMs);
    this.#recent = recent;
  }

  /**
   * `cache`: keep recent documents in this process (command services); off by default.
   * `timeoutMs`: the most any one MongoDB operation may wait (connectMongo).
   * `queryTimeMs`: the server-side bound of a list (`maxTimeMS`); by default a little under
   * `timeoutMs`, so that the server's own answer (and its connection) comes back first.
   */
  static async connect(
    url: string,
    database: string,
    options: { cache?: { maxDocuments: number; ttlMs: number }; timeoutMs?: number; queryTimeMs?: number } = {},
  ): Promise<MongoReadModel> {
    const { cache = { maxDocuments: 0, ttlMs: 0 }, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
    const queryTimeMs = options.queryTimeMs ?? Math.max(50, Math.floor(timeoutMs * 0.8));
    const client = await connectMongo(url, timeoutMs);
    const readModel = new MongoReadModel(client, client.db(database), new RecentDocuments(cache.maxDocuments, cache.ttlMs), queryTimeMs);
    await readModel.#ensureIndexes();
    return readModel;
  }

  async #ensureIndexes(): Promise<void> {
    // Every list filters out deleted documents; then each filter and order the API offers.
    // One createIndex at a time: FerretDB 1.24 breaks the connection when createIndexes
    // names several indexes that already exist.
    const customerFields = ["email", "company_name", "first_name", "last_name", "phone", "created_by", "has_account", "created_at", "updated_at", "group_ids"];
    const groupFields = ["name", "created_by", "created_at", "updated_at"];
    for (const [documents, fields] of [
      [this.#customers, customerFields],
      [this.#groups, groupFields],
    ] as const) {
      await documents.collection.createIndex({ deleted_at: 1, _id: 1 }, { name: "live_by_id" });
      for (const field of fields) await documents.collection.createIndex({ deleted_at: 1, [field]: 1, _id: 1 }, { name: `live_by_${field}` });
    }
  }

  async getCustomer(id: string): Promise<CustomerDocument | null> {
    return this.#getRemembered(this.#customers, id);
  }

  async documentIds(): Promise<{ customers: string[]; groups: string[] }> {
    const [customers, groups] = await Promise.all([this.#customers.ids(), this.#groups.ids()]);
    return { customers, groups };
  }

  async getCustomers(ids: string[]): Promise<Map<string, CustomerDocument>> {
    return this.#customers.getMany(ids);
  }

  async listCustomers({ filter, sort, skip, limit }: CustomerListQuery): Promise<CustomerPage> {
    const { page, count } = await this.#customers.list(filter, sort, skip, limit);
    return { customers: page, count };
  }

  async listAddresses(query: AddressListQuery): Promise<AddressPage> {
    return addressPage(await this.getCustomer(query.customerId), query);
  }

  async groupIdsOfCustomers(filter: Query): Promise<string[]> {
    return (await this.#customers.distinct("group_ids", filter)) as string[];
  }

  saveCustomers(changes: CustomerChange[]): Promise<void> {
    return this.#customers.saveMany(changes);
  }

  saveCustomer(document: CustomerDocument, previousRevision: number | null): Promise<SaveOutcome> {
    return this.#customers.save(document, previousRevision);
  }

  waitForCustomer(id: string, revision: number, timeoutMs: number): Promise<CustomerDocument | null> {
    return this.#waitFor(this.#customers, id, revision, timeoutMs);
  }

  async getGroup(id: string): Promise<CustomerGroupDocument | null> {
    return this.#getRemembered(this.#groups, id);
  }

  /** Groups are few and read on every `*groups`: the recent copy answers most of them. */
  async getGroups(ids: string[]): Promise<Map<string, CustomerGroupDocument>> {
    const found = await inParallel(ids, (id) => this.getGroup(id));
    return new Map(found.filter((group) => group !== null).map((group) => [group.id, group]));
  }

  async listGroups({ filter, sort, skip, limit }: CustomerGroupListQuery): Promise<CustomerGroupPage> {
    const { page, count } = await this.#groups.list(filter, sort, skip, limit);
    return { groups: page, count };
  }

  saveGroups(changes: CustomerGroupChange[]): Promise<void> {
    return this.#groups.saveMany(changes);
  }

  waitForGroup(id: string, revision: number, timeoutMs: number): Promise<CustomerGroupDocument | null> {
    return this.#waitFor(this.#groups, id, revision, timeoutMs);
  }

  async #getRemembered<T extends AnyDocument>(documents: { get(id: string): Promise<T | null> }, id: string): Promise<T | null> {
    const recent = this.#recent.get(id);
    if (recent) return recent as T;
    const document = await documents.get(id);
    if (document) this.#recent.remember(document);
    return document;
  }

  /**
   * With the recent-documents copy on, a notice that came before the wait began is found
   * there, so MongoDB is read only when the wait runs out (for the final word, which may
   * take FINAL_READ_MS at most, and no more than half the wait itself). A read model that cannot be read counts as "not there yet":
   * the write is stored, and its caller answers from the written events.
   */
  async #waitFor<T extends AnyDocument>(documents: { get(id: string): Promise<T | null> }, id: string, revision: number, timeoutMs: number): Promise<T | null> {
    try {
      if (!this.#recent.enabled) return await waitForRevision(this.#waiters, () => documents.get(id), id, revision, timeoutMs);
      const notified = await waitForRevision(this.#waiters, async () => (this.#recent.get(id) as T | undefined) ?? null, id, revision, timeoutMs);
      if (notified) return notified;
      const document = await withDeadline(documents.get(id), Math.min(FINAL_READ_MS, timeoutMs / 2));
      return document && document.revision >= revision ? document : null;
    } catch (error) {
      if (error instanceof ReadModelUnavailable) return null;
      throw error;
    }
  }

  /** The read model now holds `document` (a projector said so). */
  notify(document: AnyDocument): void {
    this.#recent.remember(document);
    this.#waiters.notify(document.id, document.revision);
  }

  /** Removes every document (tests and rebuilds). */
  async clear(): Promise<void> {
    await this.#customers.collection.deleteMany({});
    await this.#groups.collection.deleteMany({});
  }

  async close(): Promise<void> {
    this.#waiters.releaseAll();
    await this.#client.close();
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
