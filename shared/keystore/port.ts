/**
 * The key store port: where each customer's data key is kept, wrapped by the master key,
 * outside the event store, so that destroying it (erasure) makes that customer's sealed
 * event data unreadable for good while the event log itself is never rewritten. Adapters
 * keep records only (SQLite embedded; MongoDB or PostgreSQL in a cluster); keyStore.ts does the crypto.
 * Every adapter passes test/contract/keyRecords.contract.ts.
 */
import { Unavailable } from "../errors.js";

export interface KeyRecord {
  subject: string;
  /** Which master key wrapped it (its id), to say so clearly when another one is configured. */
  master_key_id: string;
  /** The wrapped data key; null once destroyed. */
  wrapped: string | null;
  created_at: string;
  /** Set once, when the key is destroyed; the record stays as a tombstone. */
  destroyed_at: string | null;
}

export interface KeyRecords {
  /** Stores the record unless the subject has one (live or destroyed); answers the one kept. */
  insertIfAbsent(record: KeyRecord): Promise<KeyRecord>;
  read(subject: string): Promise<KeyRecord | undefined>;
  /**
   * Leaves a tombstone for the subject (its wrapped key gone, `destroyed_at` set once), also
   * when it had no record: no key can be created for it afterwards. Answers whether a live
   * key was destroyed.
   */
  destroy(subject: string, destroyedAt: string, masterKeyId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The key records' server cannot be used now: the request that needed a key changed nothing. */
export class KeyStoreUnavailable extends Unavailable {
  override readonly name = "KeyStoreUnavailable";
  readonly publicMessage = "The key store is unavailable. The request changed nothing; retry it later.";
}

/**
 * The records with their server's outages reported as KeyStoreUnavailable (a 503 that says
 * to retry), as the event store reports its own; other errors pass unchanged.
 */
export function reportingOutages(records: KeyRecords, isOutage: (error: unknown) => boolean, server: string): KeyRecords {
  const guard = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (isOutage(error)) throw new KeyStoreUnavailable(`${server} could not be used to ${what}: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  };
  return {
    insertIfAbsent: (record) => guard("keep a data key", () => records.insertIfAbsent(record)),
    read: (subject) => guard("read a data key", () => records.read(subject)),
    destroy: (subject, destroyedAt, masterKeyId) => guard("destroy a data key", () => records.destroy(subject, destroyedAt, masterKeyId)),
    close: () => records.close(),
  };
}
