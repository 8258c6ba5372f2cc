/**
 * A durable checkpoint in a SQLite file: one row per name. The file may be the event store's
 * own (DATA_DIR/events.sqlite), written by other processes too.
 */
import Database from "better-sqlite3";
import type { GlobalPosition } from "../eventstore/port.js";
import type { CheckpointStore } from "./port.js";

/** How long to wait for another connection's write lock before failing. */
const BUSY_TIMEOUT_MS = 10_000;

export class SqliteCheckpointStore implements CheckpointStore {
  readonly #db: Database.Database;
  readonly #name: string;
  readonly #statements;

  constructor(filename: string, name: string) {
    this.#name = name;
    this.#db = new Database(filename, { timeout: BUSY_TIMEOUT_MS });
    this.#db.pragma("journal_mode = WAL");
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS checkpoints (
        name       TEXT PRIMARY KEY,
        position   TEXT NOT NULL,
        updated_at TEXT
      );
    `);
    this.#statements = {
      load: this.#db.prepare<[string], { position: string }>("SELECT position FROM checkpoints WHERE name = ?"),
      save: this.#db.prepare<[string, string, string]>(
        `INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      ),
    };
  }

  async load(): Promise<GlobalPosition | undefined> {
    return this.#statements.load.get(this.#name)?.position;
  }

  async save(position: GlobalPosition): Promise<void> {
    this.#statements.save.run(this.#name, position, new Date().toISOString());
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
