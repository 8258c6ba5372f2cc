/**
 * A durable checkpoint in PostgreSQL: one row per name in the table `checkpoints` of the
 * service's schema, which may hold the event store's tables too. The table is made by the
 * schema's numbered migrations (shared/postgres/schema.ts) on first use.
 *
 * A server that cannot be used now (unreachable, shutting down, a statement past its
 * timeout) fails load and save with EventStoreUnavailable, as the KurrentDB checkpoint does:
 * the publisher waits and retries. Anything else (a schema newer than this code) is a bug or
 * a deployment mistake and is thrown as it is.
 */
import type pg from "pg";
import { EventStoreUnavailable, type GlobalPosition } from "../eventstore/port.js";
import { type PostgresOptions, identifier, isPostgresUnavailable, openPool } from "../postgres/connect.js";
import { type Migration, migrate } from "../postgres/schema.js";
import type { CheckpointStore } from "./port.js";

export const CHECKPOINT_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "checkpoints: one row per name",
    sql: `CREATE TABLE checkpoints (
      name       text PRIMARY KEY,
      position   text NOT NULL,
      updated_at timestamptz
    )`,
  },
];

export class PostgresCheckpointStore implements CheckpointStore {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #table: string;
  readonly #name: string;
  /** Set when the store made the pool itself (open), so that close() ends it. */
  #ownPool: pg.Pool | undefined;
  #migrated: Promise<unknown> | undefined;

  /** Works through `pool`, which stays the caller's: close() leaves it open for the other adapters sharing it. */
  constructor(pool: pg.Pool, schema: string, name: string) {
    this.#pool = pool;
    this.#schema = schema;
    // Tables are named with their schema: the pool's connections may have any search_path.
    this.#table = `${identifier(schema)}.checkpoints`;
    this.#name = name;
  }

  /** A store with a pool of its own, ended by close(). */
  static open(url: string, schema: string, name: string, options?: PostgresOptions): PostgresCheckpointStore {
    const pool = openPool(url, options);
    const store = new PostgresCheckpointStore(pool, schema, name);
    store.#ownPool = pool;
    return store;
  }

  async load(): Promise<GlobalPosition | undefined> {
    return this.#unavailableAsStoreError(async () => {
      await this.#migrateOnce();
      const { rows } = await this.#pool.query<{ position: string }>(`SELECT position FROM ${this.#table} WHERE name = $1`, [this.#name]);
      return rows[0]?.position;
    });
  }

  async save(position: GlobalPosition): Promise<void> {
    await this.#unavailableAsStoreError(async () => {
      await this.#migrateOnce();
      await this.#pool.query(
        `INSERT INTO ${this.#table} (name, position, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
        [this.#name, position],
      );
    });
  }

  async close(): Promise<void> {
    const pool = this.#ownPool;
    this.#ownPool = undefined;
    await pool?.end();
  }

  /** The table is made (or checked) once per store; a failed attempt is made again on the next call. */
  #migrateOnce(): Promise<unknown> {
    this.#migrated ??= migrate(this.#pool, this.#schema, "checkpoints", CHECKPOINT_MIGRATIONS).catch((error: unknown) => {
      this.#migrated = undefined;
      throw error;
    });
    return this.#migrated;
  }

  async #unavailableAsStoreError<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!isPostgresUnavailable(error)) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      throw new EventStoreUnavailable(`PostgreSQL: ${detail} (checkpoint ${this.#name})`, { cause: error });
    }
  }
}
