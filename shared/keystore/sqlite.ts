/**
 * Key records in their own SQLite file (`keys.sqlite` in DATA_DIR, beside but apart from the
 * event store's file): back it up on its own schedule, and know that restoring an old copy
 * brings destroyed keys back (README, "Erasure").
 */
import Database from "better-sqlite3";
import type { KeyRecord, KeyRecords } from "./port.js";

export class SqliteKeyRecords implements KeyRecords {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    // A destroyed key's bytes are overwritten in the file, not left in a free page.
    this.#db.pragma("secure_delete = ON");
    this.#db.exec(`CREATE TABLE IF NOT EXISTS data_keys (
      subject TEXT PRIMARY KEY,
      master_key_id TEXT NOT NULL,
      wrapped TEXT,
      created_at TEXT NOT NULL,
      destroyed_at TEXT
    )`);
  }

  /**
   * Inserts wait for the next turn of the event loop and are committed together, in one
   * transaction: each commit is a sync to disk (a key must outlast any crash once an event
   * sealed with it is written), and a sync per new customer would halve the rate of creates.
   */
  insertIfAbsent(record: KeyRecord): Promise<KeyRecord> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ record, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  readonly #pending: Array<{ record: KeyRecord; resolve: (kept: KeyRecord) => void; reject: (error: unknown) => void }> = [];

  #flush(): void {
    const batch = this.#pending.splice(0);
    try {
      const insert = this.#db.prepare("INSERT OR IGNORE INTO data_keys (subject, master_key_id, wrapped, created_at, destroyed_at) VALUES (?, ?, ?, ?, ?)");
      const select = this.#db.prepare("SELECT subject, master_key_id, wrapped, created_at, destroyed_at FROM data_keys WHERE subject = ?");
      const kept = this.#db.transaction(() =>
        batch.map(({ record }) => {
          insert.run(record.subject, record.master_key_id, record.wrapped, record.created_at, record.destroyed_at);
          return select.get(record.subject) as KeyRecord;
        }),
      )();
      batch.forEach(({ resolve }, i) => resolve(kept[i]!));
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }

  async read(subject: string): Promise<KeyRecord | undefined> {
    return this.#db.prepare("SELECT subject, master_key_id, wrapped, created_at, destroyed_at FROM data_keys WHERE subject = ?").get(subject) as KeyRecord | undefined;
  }

  async destroy(subject: string, destroyedAt: string, masterKeyId: string): Promise<boolean> {
    const destroyed = this.#db.transaction(() => {
      const live = this.#db.prepare("UPDATE data_keys SET wrapped = NULL, destroyed_at = ? WHERE subject = ? AND wrapped IS NOT NULL").run(destroyedAt, subject).changes > 0;
      this.#db
        .prepare("INSERT OR IGNORE INTO data_keys (subject, master_key_id, wrapped, created_at, destroyed_at) VALUES (?, ?, NULL, ?, ?)")
        .run(subject, masterKeyId, destroyedAt, destroyedAt);
      return live;
    })();
    // The wrapped key must not linger in the write-ahead log.
    if (destroyed) this.#db.pragma("wal_checkpoint(TRUNCATE)");
    return destroyed;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
