/**
 * MongoDB adapter of the read model (official driver). One `customers` collection, one
 * document per customer keyed by its id, each carrying the stream revision it reflects.
 * Writes are guarded by that revision (insert for the first, replace-where-revision for the
 * next), so a replayed or duplicated event changes nothing. Uses only what FerretDB v1 also
 * supports: no transactions, change streams or collations.
 *
 * Other processes learn that a document has reached a revision through the projector's
 * notices (shared/readmodel/notices.ts), which call `notify`; a command service keeps the
 * documents of those notices, and of its reads, in a short-lived copy (recentDocuments.ts).
 */
import { type Collection, type Db, MongoBulkWriteError, MongoClient, MongoServerError } from "mongodb";
import type { CustomerAddress } from "../customers/address.js";
import type { CustomerDocument } from "./customerDocument.js";
import type { Filter } from "./filter.js";
import {
  type CustomerChange,
  type CustomerListQuery,
  type CustomerPage,
  type CustomerReadModel,
  type SaveOutcome,
  ReadModelRevisionGap,
} from "./port.js";
import { RecentDocuments } from "./recentDocuments.js";
import { RevisionWaiters, waitForRevision } from "./revisionWaiters.js";

/**
 * Metadata is free-form JSON whose keys may hold "." or start with "$", which MongoDB
 * field names (and FerretDB's in particular) do not allow; it is kept as JSON text. No
 * route filters on metadata, so nothing is lost.
 */
type StoredAddress = Omit<CustomerAddress, "metadata"> & { metadata: string | null };
type StoredCustomer = Omit<CustomerDocument, "id" | "metadata" | "addresses"> & { _id: string; metadata: string | null; addresses: StoredAddress[] };

const metadataToText = (metadata: Record<string, unknown> | null): string | null => (metadata === null ? null : JSON.stringify(metadata));
const metadataFromText = (text: string | null): Record<string, unknown> | null => (text === null ? null : JSON.parse(text));

const DUPLICATE_KEY = 11000;

export class MongoReadModel implements CustomerReadModel {
  readonly #client: MongoClient;
  readonly #customers: Collection<StoredCustomer>;
  readonly #waiters = new RevisionWaiters();
  readonly #recent: RecentDocuments<CustomerDocument>;

  private constructor(client: MongoClient, db: Db, recent: RecentDocuments<CustomerDocument>) {
    this.#client = client;
    this.#customers = db.collection<StoredCustomer>("customers");
    this.#recent = recent;
  }

  /** `cache`: keep recent documents in this process (command services); off by default. */
  static async connect(url: string, database: string, cache = { maxDocuments: 0, ttlMs: 0 }): Promise<MongoReadModel> {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000, retryWrites: false });
    await client.connect();
    const readModel = new MongoReadModel(client, client.db(database), new RecentDocuments(cache.maxDocuments, cache.ttlMs));
    await readModel.#ensureIndexes();
    return readModel;
  }

  async #ensureIndexes(): Promise<void> {
    // Every list filters out deleted customers; then each filter and order the API offers.
    // One createIndex at a time: FerretDB 1.24 breaks the connection when createIndexes
    // names several indexes that already exist.
    const indexed = ["email", "company_name", "first_name", "last_name", "phone", "created_by", "has_account", "created_at", "updated_at", "groups.id"];
    await this.#customers.createIndex({ deleted_at: 1, _id: 1 }, { name: "live_by_id" });
    for (const field of indexed) await this.#customers.createIndex({ deleted_at: 1, [field]: 1, _id: 1 }, { name: `live_by_${field}` });
  }

  async getCustomer(id: string): Promise<CustomerDocument | null> {
    const recent = this.#recent.get(id);
    if (recent) return recent;
    const stored = await this.#customers.findOne({ _id: id });
    if (!stored) return null;
    const document = fromStored(stored);
    this.#recent.remember(document);
    return document;
  }

  async listCustomers({ filter, sort, skip, limit }: CustomerListQuery): Promise<CustomerPage> {
    const query = { $and: [{ deleted_at: null }, toStoredFilter(filter)] };
    const sortField = sort.field === "id" ? "_id" : sort.field;
    const [stored, count] = await Promise.all([
      limit === 0
        ? Promise.resolve([])
        : this.#customers
            .find(query)
            .sort(sortField === "_id" ? { _id: sort.direction } : { [sortField]: sort.direction, _id: 1 })
            .skip(skip)
            .limit(limit)
            .toArray(),
      this.#customers.countDocuments(query),
    ]);
    return { customers: stored.map(fromStored), count };
  }

  /**
   * One lookup by _id per document, side by side: FerretDB (SQLite) runs `_id` equality as an
   * index lookup but scans the whole collection for `$in`.
   */
  async getCustomers(ids: string[]): Promise<Map<string, CustomerDocument>> {
    const found = await Promise.all(ids.map((id) => this.#customers.findOne({ _id: id })));
    return new Map(found.filter((stored) => stored !== null).map((stored) => [stored._id, fromStored(stored)]));
  }

  /**
   * New documents in one insertMany; the others each replaced where their revision is the
   * expected one. Only documents whose write did not happen (a replay, or a gap) are read
   * back to tell which.
   */
  async saveCustomers(changes: CustomerChange[]): Promise<void> {
    const inserts = changes.filter((change) => change.previousRevision === null);
    const replaces = changes.filter((change) => change.previousRevision !== null);
    const unapplied: CustomerDocument[] = [];
    if (inserts.length > 0) {
      try {
        await this.#customers.insertMany(
          inserts.map((change) => toStored(change.document)),
          { ordered: false },
        );
      } catch (error) {
        if (!(error instanceof MongoBulkWriteError)) throw error;
        const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
        if (writeErrors.some((writeError) => writeError.code !== DUPLICATE_KEY)) throw error;
        for (const writeError of writeErrors) unapplied.push(inserts[writeError.index]!.document);
      }
    }
    const replaced = await Promise.all(
      replaces.map((change) => this.#customers.replaceOne({ _id: change.document.id, revision: change.previousRevision! }, toStored(change.document))),
    );
    replaced.forEach((result, index) => {
      if (result.matchedCount === 0) unapplied.push(replaces[index]!.document);
    });
    await Promise.all(unapplied.map((document) => this.#confirmAtLeast(document)));
  }

  /** Passes when the stored document is at or past `document`'s revision (a replay); else a gap. */
  async #confirmAtLeast(document: CustomerDocument): Promise<void> {
    const current = await this.#customers.findOne({ _id: document.id }, { projection: { revision: 1 } });
    if (!current || current.revision < document.revision) throw new ReadModelRevisionGap(document.id, current?.revision ?? null, document.revision);
  }

  async saveCustomer(document: CustomerDocument, previousRevision: number | null): Promise<SaveOutcome> {
    const stored = toStored(document);
    if (previousRevision === null) {
      try {
        await this.#customers.insertOne(stored);
        return "saved";
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      }
    } else {
      const result = await this.#customers.replaceOne({ _id: document.id, revision: previousRevision }, stored);
      if (result.matchedCount === 1) return "saved";
    }
    await this.#confirmAtLeast(document);
    return "already-applied";
  }

  /**
   * With the recent-documents copy on, a notice that came before the wait began is found
   * there, so MongoDB is read only when the wait runs out (for the final word).
   */
  async waitForCustomer(id: string, revision: number, timeoutMs: number): Promise<CustomerDocument | null> {
    if (!this.#recent.enabled) return waitForRevision(this.#waiters, () => this.getCustomer(id), id, revision, timeoutMs);
    const notified = await waitForRevision(this.#waiters, async () => this.#recent.get(id) ?? null, id, revision, timeoutMs);
    if (notified) return notified;
    const stored = await this.#customers.findOne({ _id: id });
    const document = stored ? fromStored(stored) : null;
    return document && document.revision >= revision ? document : null;
  }

  /** The read model now holds `document` (a projector said so). */
  notify(document: CustomerDocument): void {
    this.#recent.remember(document);
    this.#waiters.notify(document.id, document.revision);
  }

  /** Removes every document (tests and rebuilds). */
  async clear(): Promise<void> {
    await this.#customers.deleteMany({});
  }

  async close(): Promise<void> {
    this.#waiters.releaseAll();
    await this.#client.close();
  }
}

/** The document's `id` is `_id` in MongoDB. */
function toStoredFilter(filter: Filter): Filter {
  return Object.fromEntries(
    Object.entries(filter).map(([key, condition]) => {
      if (key === "$and" || key === "$or") return [key, (condition as Filter[]).map(toStoredFilter)];
      return [key === "id" ? "_id" : key, condition];
    }),
  );
}

function toStored(document: CustomerDocument): StoredCustomer {
  const { id, ...rest } = document;
  return {
    _id: id,
    ...rest,
    metadata: metadataToText(document.metadata),
    addresses: document.addresses.map((address) => ({ ...address, metadata: metadataToText(address.metadata) })),
  };
}

function fromStored(stored: StoredCustomer): CustomerDocument {
  const { _id, ...rest } = stored;
  return {
    id: _id,
    ...rest,
    metadata: metadataFromText(stored.metadata),
    addresses: (stored.addresses ?? []).map((address) => ({ ...address, metadata: metadataFromText(address.metadata) })),
    group_ids: stored.group_ids ?? [],
  } as CustomerDocument;
}
