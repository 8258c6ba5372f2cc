/**
 * Embedded session store: a SQLite file of its own in DATA_DIR (sessions.sqlite), so
 * session writes never wait behind event appends, and sessions survive a restart.
 */
import Database from "better-sqlite3";
import type { AuthContext } from "../auth/adminToken.js";
import type { SessionStore } from "./port.js";

export class SqliteSessionStore implements SessionStore {
  readonly #db: Database.Database;
  readonly #statements;

  constructor(filename: string) {
    this.#db = new Database(filename, { timeout: 10_000 });
    this.#db.pragma("journal_mode = WAL");
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS sessions (
        id           TEXT    PRIMARY KEY,
        auth_context TEXT    NOT NULL,
        expires_at   INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);
    `);
    this.#statements = {
      save: this.#db.prepare("INSERT OR REPLACE INTO sessions (id, auth_context, expires_at) VALUES (?, ?, ?)"),
      get: this.#db.prepare<[string, number], { auth_context: string }>("SELECT auth_context FROM sessions WHERE id = ? AND expires_at > ?"),
      destroy: this.#db.prepare("DELETE FROM sessions WHERE id = ?"),
      deleteExpired: this.#db.prepare("DELETE FROM sessions WHERE expires_at <= ?"),
    };
  }

  async save(id: string, authContext: AuthContext, expiresAt: Date): Promise<void> {
    this.#statements.save.run(id, JSON.stringify(authContext), expiresAt.getTime());
  }

  async get(id: string, now: Date): Promise<AuthContext | undefined> {
    const row = this.#statements.get.get(id, now.getTime());
    return row ? (JSON.parse(row.auth_context) as AuthContext) : undefined;
  }

  async destroy(id: string): Promise<void> {
    this.#statements.destroy.run(id);
  }

  async deleteExpired(now: Date): Promise<number> {
    return this.#statements.deleteExpired.run(now.getTime()).changes;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
