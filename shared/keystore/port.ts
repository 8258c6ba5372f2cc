/**
 * The key store port: where each customer's data key is kept, wrapped by the master key,
 * outside the event store, so that destroying it (erasure) makes that customer's sealed
 * event data unreadable for good while the event log itself is never rewritten. Adapters
 * keep records only (SQLite embedded, MongoDB in a cluster); keyStore.ts does the crypto.
 * Every adapter passes test/contract/keyRecords.contract.ts.
 */

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
