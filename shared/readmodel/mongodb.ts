/**
 * MongoDB adapter of the read model (official driver). One `customers` collection, one
 * document per customer keyed by its id, each carrying the stream revision it reflects.
 * Writes are guarded by that revision (insert for the first, replace-where-revision for the
 * next), so a replayed or duplicated event changes nothing. Uses only what FerretDB v1 also
 * supports: no transactions, change streams or collations.
 *
 * Other processes learn that a document has reached a revision through the projector's
 * notices (shared/readmodel/notices.ts), which call `notify`.
 */
import { type AnyBulkWriteOperation, type Collection, type Db, MongoBulkWriteError, MongoClient, MongoServerError } from "mongodb";
import type { CustomerDocument } from "./customerDocument.js";
import { type CustomerChange, type CustomerReadModel, type SaveOutcome, ReadModelRevisionGap } from "./port.js";
import { RevisionWaiters, waitForRevision } from "./revisionWaiters.js";

/**
 * Metadata is free-form JSON whose keys may hold "." or start with "$", which MongoDB
 * field names (and FerretDB's in particular) do not allow; it is kept as JSON text. No
 * route filters on metadata, so nothing is lost.
 */
type StoredCustomer = Omit<CustomerDocument, "id" | "metadata"> & { _id: string; metadata: string | null };

const DUPLICATE_KEY = 11000;

export class MongoReadModel implements CustomerReadModel {
  readonly #client: MongoClient;
  readonly #customers: Collection<StoredCustomer>;
  readonly #waiters = new RevisionWaiters();

  private constructor(client: MongoClient, db: Db) {
    this.#client = client;
    this.#customers = db.collection<StoredCustomer>("customers");
  }

  static async connect(url: string, database: string): Promise<MongoReadModel> {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000, retryWrites: false });
    await client.connect();
    const readModel = new MongoReadModel(client, client.db(database));
    await readModel.#ensureIndexes();
    return readModel;
  }

  async #ensureIndexes(): Promise<void> {
    // The list routes order by id (the _id index) and filter out deleted customers.
    await this.#customers.createIndex({ deleted_at: 1, _id: 1 }, { name: "live_by_id" });
  }

  async getCustomer(id: string): Promise<CustomerDocument | null> {
    const stored = await this.#customers.findOne({ _id: id });
    return stored ? fromStored(stored) : null;
  }

  async getCustomers(ids: string[]): Promise<Map<string, CustomerDocument>> {
    const found = new Map<string, CustomerDocument>();
    if (ids.length === 0) return found;
    for (const stored of await this.#customers.find({ _id: { $in: ids } }).toArray()) found.set(stored._id, fromStored(stored));
    return found;
  }

  /** One bulk write for the lot, then one read to confirm where each document stands. */
  async saveCustomers(changes: CustomerChange[]): Promise<void> {
    if (changes.length === 0) return;
    const operations: AnyBulkWriteOperation<StoredCustomer>[] = changes.map(({ document, previousRevision }) =>
      previousRevision === null
        ? { insertOne: { document: toStored(document) } }
        : { replaceOne: { filter: { _id: document.id, revision: previousRevision }, replacement: toStored(document) } },
    );
    try {
      await this.#customers.bulkWrite(operations, { ordered: false });
    } catch (error) {
      // Inserts of documents that already exist are replays; the check below tells.
      const onlyDuplicates = error instanceof MongoBulkWriteError && error.writeErrors instanceof Array
        ? error.writeErrors.every((writeError) => writeError.code === DUPLICATE_KEY)
        : error instanceof MongoBulkWriteError && (error.writeErrors as { code?: number }).code === DUPLICATE_KEY;
      if (!onlyDuplicates) throw error;
    }
    const ids = changes.map((change) => change.document.id);
    const stored = new Map<string, number>();
    for (const current of await this.#customers.find({ _id: { $in: ids } }, { projection: { revision: 1 } }).toArray()) {
      stored.set(current._id, current.revision);
    }
    for (const { document } of changes) {
      const revision = stored.get(document.id);
      if (revision === undefined || revision < document.revision) throw new ReadModelRevisionGap(document.id, revision ?? null, document.revision);
    }
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
    const current = await this.#customers.findOne({ _id: document.id }, { projection: { revision: 1 } });
    if (current && current.revision >= document.revision) return "already-applied";
    throw new ReadModelRevisionGap(document.id, current?.revision ?? null, document.revision);
  }

  waitForCustomer(id: string, revision: number, timeoutMs: number): Promise<CustomerDocument | null> {
    return waitForRevision(this.#waiters, () => this.getCustomer(id), id, revision, timeoutMs);
  }

  /** A document reached `revision` (a projector said so). */
  notify(id: string, revision: number): void {
    this.#waiters.notify(id, revision);
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

function toStored(document: CustomerDocument): StoredCustomer {
  const { id, ...rest } = document;
  return { _id: id, ...rest, metadata: document.metadata === null ? null : JSON.stringify(document.metadata) };
}

function fromStored(stored: StoredCustomer): CustomerDocument {
  const { _id, ...rest } = stored;
  return { id: _id, ...rest, metadata: stored.metadata === null ? null : JSON.parse(stored.metadata) } as CustomerDocument;
}
