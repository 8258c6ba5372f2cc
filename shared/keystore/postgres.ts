/**
 * Key records in PostgreSQL: the table `data_keys` of the given schema, one row per subject,
 * made by the schema's numbered migrations (shared/postgres/schema.ts) on first use. Give
 * them a schema (or a database) whose backups can be handled on their own terms: restoring an
 * old copy brings destroyed keys back (README, "Erasure").
 */
import type pg from "pg";
import { type PostgresOptions, identifier, openPool } from "../postgres/connect.js";
import { type Migration, migrate } from "../postgres/schema.js";
import type { KeyRecord, KeyRecords } from "./port.js";

export const KEY_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "data_keys: one record per subject, a tombstone once destroyed",
    sql: `CREATE TABLE data_keys (
      subject       text PRIMARY KEY,
      master_key_id text NOT NULL,
      wrapped       text,
      created_at    text NOT NULL,
      destroyed_at  text
    )`,
  },
];

const COLUMNS = "subject, master_key_id, wrapped, created_at, destroyed_at";

interface PendingInsert {
  record: KeyRecord;
  resolve: (kept: KeyRecord) => void;
  reject: (error: unknown) => void;
}

export class PostgresKeyRecords implements KeyRecords {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #table: string;
  /** Set when the records made the pool themselves (open), so that close() ends it. */
  #ownPool: pg.Pool | undefined;
  #migrated: Promise<unknown> | undefined;
  readonly #pending: PendingInsert[] = [];
  /** The VACUUM running now, and the one that will start after it, which later callers share. */
  #vacuumRunning: Promise<void> | undefined;
  #vacuumQueued: Promise<void> | undefined;

  /** Works through `pool`, which stays the caller's: close() leaves it open for the other adapters sharing it. */
  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#schema = schema;
    // Tables are named with their schema: the pool's connections may have any search_path.
    this.#table = `${identifier(schema)}.data_keys`;
  }

  /** Records with a pool of their own, ended by close(). */
  static open(url: string, schema: string, options?: PostgresOptions): PostgresKeyRecords {
    const pool = openPool(url, options);
    const records = new PostgresKeyRecords(pool, schema);
    records.#ownPool = pool;
    return records;
  }

  /**
   * Inserts wait for the next turn of the event loop and go to the server together, in one
   * statement: each commit is a sync to disk (a key must outlast any crash once an event
   * sealed with it is written), and a sync per new customer would cap the rate of creates.
   */
  insertIfAbsent(record: KeyRecord): Promise<KeyRecord> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ record, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0);
    try {
      const kept = await this.#insertAll(batch.map(({ record }) => record));
      for (const { record, resolve, reject } of batch) {
        const found = kept.get(record.subject);
        if (found) resolve(found);
        else reject(new Error(`The key record of ${record.subject} was neither inserted nor found`));
      }
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }

  /** Inserts the records whose subjects have none; answers the record kept for every subject. */
  async #insertAll(records: KeyRecord[]): Promise<Map<string, KeyRecord>> {
    await this.#migrateOnce();
    // A subject asked for twice in one batch: the first record offered is the one inserted.
    const bySubject = new Map<string, KeyRecord>();
    for (const record of records) if (!bySubject.has(record.subject)) bySubject.set(record.subject, record);
    // In subject order: two processes inserting overlapping batches then wait for each other's
    // rows in one order, instead of each holding what the other waits for (a deadlock).
    const offered = [...bySubject.values()].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
    const { rows: inserted } = await this.#pool.query<KeyRecord>(
      `INSERT INTO ${this.#table} (${COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT (subject) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        offered.map((record) => record.subject),
        offered.map((record) => record.master_key_id),
        offered.map((record) => record.wrapped),
        offered.map((record) => record.created_at),
        offered.map((record) => record.destroyed_at),
      ],
    );
    const kept = new Map(inserted.map((record) => [record.subject, record]));
    const taken = offered.filter((record) => !kept.has(record.subject)).map((record) => record.subject);
    if (taken.length > 0) {
      // Read in a statement of its own: the insert waited for any other insert of the same
      // subject to commit, and only a statement started after it sees that row.
      const { rows } = await this.#pool.query<KeyRecord>(`SELECT ${COLUMNS} FROM ${this.#table} WHERE subject = ANY($1::text[])`, [taken]);
      for (const record of rows) kept.set(record.subject, record);
    }
    return kept;
  }

  async read(subject: string): Promise<KeyRecord | undefined> {
    await this.#migrateOnce();
    const { rows } = await this.#pool.query<KeyRecord>(`SELECT ${COLUMNS} FROM ${this.#table} WHERE subject = $1`, [subject]);
    return rows[0];
  }

  async destroy(subject: string, destroyedAt: string, masterKeyId: string): Promise<boolean> {
    await this.#migrateOnce();
    const destroyLive = async () =>
      ((await this.#pool.query(`UPDATE ${this.#table} SET wrapped = NULL, destroyed_at = $2 WHERE subject = $1 AND wrapped IS NOT NULL`, [subject, destroyedAt])).rowCount ?? 0) > 0;
    let destroyed = await destroyLive();
    if (!destroyed) {
      const tombstone = await this.#pool.query(
        `INSERT INTO ${this.#table} (${COLUMNS}) VALUES ($1, $2, NULL, $3, $3) ON CONFLICT (subject) DO NOTHING`,
        [subject, masterKeyId, destroyedAt],
      );
      // A record appeared meanwhile (its insert had not committed when the update looked):
      // a tombstone, or a key created since, which goes too.
      if (tombstone.rowCount === 0) destroyed = await destroyLive();
    }
    // The key is destroyed once the update commits; the VACUUM only tidies its old row
    // version away, so its failure (a timeout on a busy table) does not fail the erasure:
    // autovacuum comes by later.
    if (destroyed) await this.#vacuum().catch(() => undefined);
    return destroyed;
  }

  /**
   * The update leaves the row version that held the wrapped key in the table as a dead row
   * until a VACUUM removes it. This one runs at once: it frees the dead version and compacts
   * its page, which in most cases writes over the key's bytes. It does not reach everything:
   * when the dead version was the lowest on its page (the update had to go to another page),
   * its bytes stay in the page's free space until a later row is written there (only VACUUM
   * FULL, which copies the table to a new file, leaves none); a version still visible to a
   * transaction open elsewhere is kept until that transaction ends; and the WAL, WAL archives,
   * replicas' copies and backups keep what they recorded until they are recycled or expire.
   * It needs the role that owns the table (the one that ran the migration): for another,
   * PostgreSQL skips the table with a warning. The index holds subjects only, so its pass (a
   * scan of the whole index) is left to autovacuum. A destroy that ends while a VACUUM runs
   * waits for the next one, which it shares with every other destroy that ends meanwhile.
   */
  #vacuum(): Promise<void> {
    if (this.#vacuumQueued) return this.#vacuumQueued;
    const queued: Promise<void> = (this.#vacuumRunning ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        this.#vacuumQueued = undefined;
        this.#vacuumRunning = queued;
        // A statement of its own on the pool: VACUUM cannot run inside a transaction.
        await this.#pool.query(`VACUUM (INDEX_CLEANUP OFF) ${this.#table}`);
      })
      .finally(() => {
        if (this.#vacuumRunning === queued) this.#vacuumRunning = undefined;
      });
    this.#vacuumQueued = queued;
    return queued;
  }

  async close(): Promise<void> {
    const pool = this.#ownPool;
    this.#ownPool = undefined;
    await pool?.end();
  }

  /** The table is made (or checked) once per handle; a failed attempt is made again on the next call. */
  #migrateOnce(): Promise<unknown> {
    this.#migrated ??= migrate(this.#pool, this.#schema, "keys", KEY_MIGRATIONS).catch((error: unknown) => {
      this.#migrated = undefined;
      throw error;
    });
    return this.#migrated;
  }
}
