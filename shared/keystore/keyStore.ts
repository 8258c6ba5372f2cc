/**
 * Each customer's data key: created on first use, wrapped by the master key in the key
 * records, unwrapped on use (and kept unwrapped in memory for a while, a bounded number), and
 * destroyed for good on erasure. A destroyed key stays a tombstone: it is never created again,
 * so nothing new can be sealed for an erased customer.
 */
import type { MasterKey } from "../crypto/masterKey.js";
import { newDataKey } from "../crypto/sealing.js";
import type { KeyRecord, KeyRecords } from "./port.js";

export type DataKey = { state: "live"; key: Buffer } | { state: "destroyed"; destroyedAt: string } | { state: "absent" };

/** The subject's key was destroyed: its data cannot be read, and no new data may be sealed for it. */
export class DataKeyDestroyed extends Error {
  override readonly name = "DataKeyDestroyed";
  constructor(readonly subject: string) {
    super(`The data key of ${subject} was destroyed (erased)`);
  }
}

/** The key records were wrapped with another master key than the one configured. */
export class WrongMasterKey extends Error {
  override readonly name = "WrongMasterKey";
}

export interface KeyStoreOptions {
  records: KeyRecords;
  master: MasterKey;
  clock?: () => Date;
  /** Unwrapped keys kept in memory (default 10,000) and for how long (default 60 s). */
  cache?: { maxKeys?: number; ttlMs?: number };
}

export class KeyStore {
  readonly #records: KeyRecords;
  readonly #master: MasterKey;
  readonly #clock: () => Date;
  readonly #maxKeys: number;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, { key: Buffer; until: number }>();

  constructor(options: KeyStoreOptions) {
    this.#records = options.records;
    this.#master = options.master;
    this.#clock = options.clock ?? (() => new Date());
    this.#maxKeys = options.cache?.maxKeys ?? 10_000;
    this.#ttlMs = options.cache?.ttlMs ?? 60_000;
  }

  /** The subject's live key, created when it has none; DataKeyDestroyed once erased. */
  async obtain(subject: string): Promise<Buffer> {
    const cached = this.#cached(subject);
    if (cached) return cached;
    const existing = await this.#records.read(subject);
    const record =
      existing ??
      (await this.#records.insertIfAbsent({
        subject,
        master_key_id: this.#master.id,
        wrapped: this.#master.wrap(newDataKey(), subject),
        created_at: this.#clock().toISOString(),
        destroyed_at: null,
      }));
    const found = this.#open(record);
    if (found.state !== "live") throw new DataKeyDestroyed(subject);
    return found.key;
  }

  /** The subject's key as it stands, without creating one. */
  async lookup(subject: string): Promise<DataKey> {
    const cached = this.#cached(subject);
    if (cached) return { state: "live", key: cached };
    const destroyedAt = this.#destroyed.get(subject);
    if (destroyedAt !== undefined) return { state: "destroyed", destroyedAt };
    const record = await this.#records.read(subject);
    return record ? this.#open(record) : { state: "absent" };
  }

  /**
   * Tombstones seen, by subject: a destroyed key never comes back, so they are kept without a
   * time limit (a bounded number), and reading an erased customer's long history does not ask
   * the key records once per event.
   */
  readonly #destroyed = new Map<string, string>();

  #rememberDestroyed(subject: string, destroyedAt: string): void {
    this.#destroyed.set(subject, destroyedAt);
    if (this.#destroyed.size > this.#maxKeys) this.#destroyed.delete(this.#destroyed.keys().next().value as string);
  }

  /** Destroys the subject's key for good, leaving a tombstone (also when it had none); answers whether it had a live key. */
  async destroy(subject: string): Promise<boolean> {
    this.#cache.delete(subject);
    return this.#records.destroy(subject, this.#clock().toISOString(), this.#master.id);
  }

  async close(): Promise<void> {
    this.#cache.clear();
    await this.#records.close();
  }

  #cached(subject: string): Buffer | undefined {
    const entry = this.#cache.get(subject);
    if (!entry) return undefined;
    if (entry.until < Date.now()) {
      this.#cache.delete(subject);
      return undefined;
    }
    return entry.key;
  }

  #open(record: KeyRecord): DataKey {
    if (record.wrapped === null) {
      this.#rememberDestroyed(record.subject, record.destroyed_at ?? "");
      return { state: "destroyed", destroyedAt: record.destroyed_at ?? "" };
    }
    if (record.master_key_id !== this.#master.id) {
      throw new WrongMasterKey(`The data key of ${record.subject} was wrapped with master key ${record.master_key_id}, not with the configured one (${this.#master.id})`);
    }
    const key = this.#master.unwrap(record.wrapped, record.subject);
    this.#cache.set(record.subject, { key, until: Date.now() + this.#ttlMs });
    if (this.#cache.size > this.#maxKeys) this.#cache.delete(this.#cache.keys().next().value as string);
    return { state: "live", key };
  }
}
