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

  async insertIfAbsent(record: KeyRecord): Promise<KeyRecord> {
    this.#db
      .prepare("INSERT OR IGNORE INTO data_keys (subject, master_key_id, wrapped, created_at, destroyed_at) VALUES (?, ?, ?, ?, ?)")
      .run(record.subject, record.master_key_id, record.wrapped, record.created_at, record.destroyed_at);
    return (await this.read(record.subject))!;
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
