/**
 * Key records in a MongoDB collection (`data_keys`), one document per subject. Give it a
 * database of its own where the deployment allows (KEYS_MONGODB_DATABASE), so that its
 * backups can be handled apart from the read model's. Works on MongoDB and FerretDB.
 */
import type { Collection, Db } from "mongodb";
import type { KeyRecord, KeyRecords } from "./port.js";

type KeyDocument = Omit<KeyRecord, "subject"> & { _id: string };

const DUPLICATE_KEY = 11000;

const toRecord = ({ _id, ...rest }: KeyDocument): KeyRecord => ({ subject: _id, ...rest });

export class MongoKeyRecords implements KeyRecords {
  readonly #collection: Collection<KeyDocument>;

  constructor(
    database: Db,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {
    this.#collection = database.collection<KeyDocument>("data_keys");
  }

  async insertIfAbsent(record: KeyRecord): Promise<KeyRecord> {
    const { subject, ...rest } = record;
    try {
      await this.#collection.insertOne({ _id: subject, ...rest });
      return record;
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      return (await this.read(subject))!;
    }
  }

  async read(subject: string): Promise<KeyRecord | undefined> {
    const document = await this.#collection.findOne({ _id: subject });
    return document ? toRecord(document) : undefined;
  }

  async destroy(subject: string, destroyedAt: string, masterKeyId: string): Promise<boolean> {
    const live = await this.#collection.updateOne({ _id: subject, wrapped: { $ne: null } }, { $set: { wrapped: null, destroyed_at: destroyedAt } });
    if (live.modifiedCount > 0) return true;
    try {
      await this.#collection.insertOne({ _id: subject, master_key_id: masterKeyId, wrapped: null, created_at: destroyedAt, destroyed_at: destroyedAt });
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      // A record appeared meanwhile: a tombstone, or a key created since, which goes too.
      return (await this.#collection.updateOne({ _id: subject, wrapped: { $ne: null } }, { $set: { wrapped: null, destroyed_at: destroyedAt } })).modifiedCount > 0;
    }
    return false;
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}
