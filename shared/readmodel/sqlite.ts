/**
 * A durable read model in a SQLite file of its own: one table per collection, each document
 * as JSON text with its id, its revision and whether it is live; the fields lists filter or
 * sort on also in columns of their own, each indexed, so a page in any supported order reads
 * only its rows; a trigram index for searches and an index of group memberships. Queries are translated by sqliteQuery.ts with MongoDB's semantics;
 * the read-model contract suite holds it to the same answers as the other adapters. A batch
 * of changes is one transaction, each change guarded by the revision it expects; a
 * projector's batch also records the log position it reaches, in the same transaction, so a
 * restart resumes from there instead of replaying the whole log.
 *
 * Lists, counts and distinct values run on reader threads (sqliteReader.ts), so that a
 * search over many documents does not hold up the event loop; lookups by id and writes stay
 * on this connection.
 *
 * The file also records its layout (LAYOUT): the tables of another layout are dropped at
 * open, and the documents rebuilt from the event store.
 */
import Database from "better-sqlite3";
import type { CustomerAddress } from "../customers/customer.js";
import { addressPage } from "./addressPage.js";
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";
import type { GlobalPosition } from "../eventstore/port.js";
import { type AddressListQuery, type Change, type CustomerReadModel, type DocumentCollection, type ListQuery, type Page, type ProjectedBatch, ReadModelRevisionGap } from "./port.js";
import { type Query, type Value, matchesEverything } from "./query.js";
import { RecentDocuments } from "./recentDocuments.js";
import { RevisionWaiters, waitForRevision } from "./revisionWaiters.js";
import { foldCase } from "./caseFold.js";
import { CountCache } from "./countCache.js";
import { registerReadModelFunctions } from "./sqliteFunctions.js";
import { type DocumentShape, type SqlValue, columnName, columnValue, fieldExpression, toSqlCondition, toSqlOrder } from "./sqliteQuery.js";
import { DEFAULT_READER_THREADS, InlineReader, type SqliteReader, ThreadedReader } from "./sqliteReader.js";

export interface SqliteReadModelOptions {
  /** Reader threads for lists (default: one fewer than the cores, one to four). */
  readerThreads?: number;
  /**
   * How a list page is read (SqliteCollection.list): as its count says (the default), or
   * always one way, which the contract suite uses to hold both ways to the same answers.
   */
  pagePlan?: PagePlan;
  /**
   * Documents kept parsed in memory, the most recently read (default 0: none). This process
   * writes the file alone and updates the kept copies as it writes, so none is ever behind it.
   */
  cachedDocuments?: number;
}

export type PagePlan = "by count" | "few matches" | "many matches";

/**
 * The file's layout: raise it whenever a projection (customerDocument.ts,
 * customerGroupDocument.ts) changes what it builds, or the tables change, so existing files
 * are rebuilt.
 */
export const LAYOUT = "4";

/**
 * How each collection is kept: the fields its lists filter or sort on, each in a column of its
 * own indexed after `live` (not `deleted_at`: no listed document has one); its array fields;
 * the text fields its searches (`q`) look through, in a substring index.
 */
interface CollectionLayout {
  indexed: readonly string[];
  arrayFields: readonly string[];
  /** Array fields of strings whose elements are indexed, for "has one of these" filters. */
  elementIndexed: readonly string[];
  searchable: readonly string[];
}

const CUSTOMERS: CollectionLayout = {
  indexed: ["email", "company_name", "first_name", "last_name", "phone", "created_by", "has_account", "created_at", "updated_at"],
  arrayFields: ["group_ids", "addresses"],
  elementIndexed: ["group_ids"],
  searchable: ["company_name", "first_name", "last_name", "email", "phone"],
};
const GROUPS: CollectionLayout = {
  indexed: ["name", "created_by", "created_at", "updated_at"],
  arrayFields: [],
  elementIndexed: [],
  searchable: ["name"],
};

export class SqliteReadModel implements CustomerReadModel {
  readonly customers: SqliteCollection<CustomerDocument>;
  readonly groups: SqliteCollection<CustomerGroupDocument>;
  readonly #db: Database.Database;
  readonly #reader: SqliteReader;
  /** What the file says of itself: its layout, and the log position the last batch reached. */
  readonly #meta: { get: Database.Statement<[string], { value: string }>; set: Database.Statement<[string, string]> };

  constructor(filename: string, options: SqliteReadModelOptions = {}) {
    this.#db = new Database(filename, { timeout: 10_000 });
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    // Pages of the indexes a write touches stay in memory (SQLite's default keeps 2 MiB).
    this.#db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
    registerReadModelFunctions(this.#db);
    this.#db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.#meta = {
      get: this.#db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?"),
      set: this.#db.prepare<[string, string]>("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
    };
    const layout = this.#meta.get.get("layout")?.value;
    if (layout !== LAYOUT) this.#dropEverything();
    this.#reader = this.#db.memory ? new InlineReader(this.#db) : new ThreadedReader(filename, options.readerThreads ?? DEFAULT_READER_THREADS);
    this.customers = new SqliteCollection(this.#db, this.#reader, "customers", CUSTOMERS, options);
    this.groups = new SqliteCollection(this.#db, this.#reader, "customer_groups", GROUPS, options);
    this.#meta.set.run("layout", LAYOUT);
  }

  /** Another layout's tables go, and the position with them: the documents are built again from the log. */
  #dropEverything(): void {
    const tables = this.#db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name != 'meta' AND name NOT LIKE 'sqlite_%' AND sql LIKE 'CREATE %'").all();
    this.#db.transaction(() => {
      // Virtual tables first: dropping one drops its own shadow tables.
      for (const { name } of tables.sort((a, b) => Number(b.name.endsWith("_text")) - Number(a.name.endsWith("_text")))) {
        if (this.#db.prepare("SELECT 1 FROM sqlite_schema WHERE name = ?").get(name)) this.#db.exec(`DROP TABLE "${name.replaceAll('"', '""')}"`);
      }
      this.#db.exec("DELETE FROM meta WHERE key = 'position'");
    })();
  }

  async listAddresses(query: AddressListQuery): Promise<Page<CustomerAddress>> {
    return addressPage(await this.customers.get(query.customerId), query);
  }

  async saveBatch({ customers, groups, position }: ProjectedBatch): Promise<void> {
    const saved = this.#db.transaction(() => {
      const both = { customers: this.customers.apply(customers), groups: this.groups.apply(groups) };
      if (position !== undefined) this.#meta.set.run("position", position);
      return both;
    })();
    this.customers.notify(saved.customers);
    this.groups.notify(saved.groups);
  }

  async projectedPosition(): Promise<GlobalPosition | undefined> {
    return this.#meta.get.get("position")?.value;
  }

  /** Empties the read model (its position included), to be rebuilt from the event store. */
  async reset(): Promise<void> {
    this.#reset();
  }

  #reset(): void {
    this.#db.transaction(() => {
      this.customers.deleteAll();
      this.groups.deleteAll();
      this.#db.exec("DELETE FROM meta WHERE key = 'position'");
    })();
    this.customers.emptied();
    this.groups.emptied();
  }

  async close(): Promise<void> {
    this.customers.close();
    this.groups.close();
    await this.#reader.close();
    if (this.#db.open) this.#db.close();
  }
}

const searchableText = (value: unknown): string | null => (typeof value === "string" ? foldCase(value) : null);

/** What a transaction wrote to a collection: the documents, and how many more are live. */
interface Applied<T> {
  saved: T[];
  liveDelta: number;
}

type Stored = { id: string; revision: number; deleted_at: string | null };

const WRITER_CACHE_KIB = 32 * 1024;

/** Up to this many matches, a page reads and sorts them all rather than walking an ordered index. */
const FEW_MATCHES = 200;

class SqliteCollection<T extends Stored> implements DocumentCollection<T> {
  readonly #waiters = new RevisionWaiters();
  readonly #statements;
  readonly #counts = new CountCache();
  readonly #pagePlan: PagePlan;
  readonly #recent: RecentDocuments<T>;
  readonly #elements: Array<{ field: string; forget: Database.Statement<[number]>; add: Database.Statement<[SqlValue, number]>; deleteAll: string }>;
  /** How many live documents there are: what an unfiltered list counts, kept as writes commit. */
  #liveCount: number;

  readonly shape: DocumentShape;

  constructor(
    private readonly db: Database.Database,
    private readonly reader: SqliteReader,
    private readonly table: string,
    private readonly layout: CollectionLayout,
    options: SqliteReadModelOptions,
  ) {
    this.#pagePlan = options.pagePlan ?? "by count";
    this.#recent = new RecentDocuments(options.cachedDocuments ?? 0, Number.POSITIVE_INFINITY);
    const text = `${table}_text`;
    const elementTables = Object.fromEntries(layout.elementIndexed.map((field) => [field, `${table}_${field}`]));
    this.shape = { table, columns: layout.indexed, arrayFields: layout.arrayFields, substringIndex: { table: text, fields: layout.searchable }, elementIndexes: elementTables };
    // The listed fields in columns of their own, without a declared type, so that each keeps
    // the kind of value json_extract would give (text, integer, real, null).
    const columns = layout.indexed.map(columnName);
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, revision INTEGER NOT NULL, live INTEGER NOT NULL, body TEXT NOT NULL, ${columns.join(", ")})`);
    db.exec(`CREATE INDEX IF NOT EXISTS ${table}_live_id ON ${table} (live, id)`);
    for (const field of layout.indexed) db.exec(`CREATE INDEX IF NOT EXISTS ${table}_live_${field} ON ${table} (live, ${columnName(field)}, id)`);
    // Trigrams of the live documents' folded text (caseFold.ts), matched as folded: the
    // index holds only what it needs to find rows, not the text itself.
    db.exec(
      `CREATE VIRTUAL TABLE IF NOT EXISTS ${text} USING fts5(${layout.searchable.join(", ")}, content='', contentless_delete=1, tokenize='trigram case_sensitive 1')`,
    );
    for (const elements of Object.values(elementTables)) {
      db.exec(`CREATE TABLE IF NOT EXISTS ${elements} (value NOT NULL, owner INTEGER NOT NULL, PRIMARY KEY (value, owner)) WITHOUT ROWID`);
      db.exec(`CREATE INDEX IF NOT EXISTS ${elements}_owner ON ${elements} (owner)`);
    }
    this.#elements = Object.entries(elementTables).map(([field, elements]) => ({
      field,
      forget: db.prepare<[number]>(`DELETE FROM ${elements} WHERE owner = ?`),
      add: db.prepare<[SqlValue, number]>(`INSERT OR IGNORE INTO ${elements} (value, owner) VALUES (?, ?)`),
      deleteAll: `DELETE FROM ${elements}`,
    }));
    this.#statements = {
      get: db.prepare<[string], { body: string }>(`SELECT body FROM ${table} WHERE id = ?`),
      // Any number of ids as one JSON array: one statement, prepared once.
      many: db.prepare<[string], { body: string }>(`SELECT body FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`),
      stored: db.prepare<[string], { revision: number; live: number }>(`SELECT revision, live FROM ${table} WHERE id = ?`),
      upsert: db.prepare<SqlValue[], { rowid: number }>(
        `INSERT INTO ${table} (id, revision, live, body, ${columns.join(", ")}) VALUES (?, ?, ?, ?${", ?".repeat(columns.length)}) ` +
          `ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, live = excluded.live, body = excluded.body${columns.map((column) => `, ${column} = excluded.${column}`).join("")} RETURNING rowid`,
      ),
      ids: db.prepare<[], { id: string }>(`SELECT id FROM ${table}`),
      liveCount: db.prepare<[], { count: number }>(`SELECT COUNT(*) AS count FROM ${table} WHERE live = 1`),
      forgetText: db.prepare<[number]>(`DELETE FROM ${text} WHERE rowid = ?`),
      indexText: db.prepare(`INSERT INTO ${text} (rowid, ${layout.searchable.join(", ")}) VALUES (?${", ?".repeat(layout.searchable.length)})`),
    };
    this.#liveCount = this.#statements.liveCount.get()!.count;
  }

  async get(id: string): Promise<T | null> {
    const recent = this.#recent.get(id);
    if (recent) return recent;
    const row = this.#statements.get.get(id);
    if (!row) return null;
    const document = JSON.parse(row.body) as T;
    this.#recent.remember(document);
    return document;
  }

  async getMany(ids: string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    const missing: string[] = [];
    for (const id of ids) {
      const recent = this.#recent.get(id);
      if (recent) found.set(id, recent);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const row of this.#statements.many.all(JSON.stringify(missing))) {
        const document = JSON.parse(row.body) as T;
        found.set(document.id, document);
      }
    }
    // In the order asked, as the other adapters answer.
    return new Map(ids.filter((id) => found.has(id)).map((id) => [id, found.get(id)!]));
  }

  /**
   * A page and the count of every match. The count comes first (kept until the collection
   * changes, CountCache) and decides how the page is read: a few matches are found through
   * the indexes that list them and sorted; many are found by walking the index of the order
   * and checking each row until the page is full, which is quicker once about one row in
   * sqrt(rows / (offset + page)) matches. (The page and its count are two reads: a write
   * between them may show in one and not the other, as with the MongoDB read model.)
   */
  async list({ filter, sort, skip, limit }: ListQuery): Promise<Page<T>> {
    const condition = toSqlCondition(filter, this.shape);
    const generation = this.#counts.generation;
    const countKey = `${condition.sql}\u0000${JSON.stringify(condition.params)}`;
    let count = matchesEverything(filter) ? this.#liveCount : this.#counts.get(countKey);
    if (count === undefined) {
      // `+live` keeps SQLite from scanning the index of live rows when an index lists the matches.
      const sql = `SELECT COUNT(*) AS count FROM ${this.table} WHERE ${condition.narrows ? "+" : ""}live = 1 AND ${condition.sql}`;
      const [counted] = (await this.reader.read([{ sql, params: condition.params }])) as [Array<{ count: number }>];
      count = counted[0]!.count;
      this.#counts.remember(countKey, generation, count);
    }
    if (limit === 0) return { documents: [], count };
    const fewMatches =
      this.#pagePlan === "by count" ? count <= FEW_MATCHES || count * count <= (skip + limit) * this.#liveCount : this.#pagePlan === "few matches";
    const matching = fewMatches ? condition : toSqlCondition(filter, this.shape, "rows");
    const live = `${fewMatches && condition.narrows ? "+" : ""}live = 1`;
    const sql = `SELECT body FROM ${this.table} WHERE ${live} AND ${matching.sql} ORDER BY ${toSqlOrder(sort, this.shape, fewMatches)} LIMIT ? OFFSET ?`;
    const [rows] = (await this.reader.read([{ sql, params: [...matching.params, limit, skip] }])) as [Array<{ body: string }>];
    return { documents: rows.map((row) => JSON.parse(row.body) as T), count };
  }

  async distinct(field: string, filter: Query): Promise<Value[]> {
    const condition = toSqlCondition(filter, this.shape);
    const matching = `SELECT body FROM ${this.table} WHERE live = 1 AND ${condition.sql}`;
    const sql = this.shape.arrayFields.includes(field)
      ? `SELECT DISTINCT element.value AS value, element.type AS type FROM (${matching}) AS matching, json_each(matching.body, '$.${field}') AS element`
      : `SELECT DISTINCT ${fieldExpression(field, undefined, "matching.body")} AS value, json_type(matching.body, '$.${field}') AS type FROM (${matching}) AS matching WHERE type IS NOT NULL`;
    const [rows] = (await this.reader.read([{ sql, params: condition.params }])) as [Array<{ value: SqlValue; type: string }>];
    return rows.map(({ value, type }) => (type === "true" ? true : type === "false" ? false : value));
  }

  async save(changes: Change<T>[]): Promise<void> {
    this.notify(this.db.transaction(() => this.apply(changes))());
  }

  /** Writes the changes, inside the caller's transaction; what notify() needs once it commits. */
  apply(changes: Change<T>[]): Applied<T> {
    const applied: Applied<T> = { saved: [], liveDelta: 0 };
    for (const { document, previousRevision } of changes) {
      const stored = this.#statements.stored.get(document.id);
      const storedRevision = stored?.revision ?? null;
      if (storedRevision !== null && storedRevision >= document.revision) continue;
      if (storedRevision !== previousRevision) throw new ReadModelRevisionGap(document.id, storedRevision, document.revision);
      const live = document.deleted_at === null;
      const fields = document as Record<string, unknown>;
      const { rowid } = this.#statements.upsert.get(document.id, document.revision, live ? 1 : 0, JSON.stringify(document), ...this.layout.indexed.map((field) => columnValue(fields[field])))!;
      if (stored) this.#statements.forgetText.run(rowid);
      for (const elements of this.#elements) {
        if (stored) elements.forget.run(rowid);
        const value = fields[elements.field];
        if (Array.isArray(value)) for (const element of value) if (typeof element === "string") elements.add.run(element, rowid);
      }
      if (live) this.#statements.indexText.run(rowid, ...this.layout.searchable.map((field) => searchableText(fields[field])));
      applied.liveDelta += Number(live) - (stored?.live ?? 0);
      applied.saved.push(document);
    }
    return applied;
  }

  /** Removes every document, inside the caller's transaction. */
  deleteAll(): void {
    this.db.exec(`DELETE FROM ${this.table}; INSERT INTO ${this.table}_text (${this.table}_text) VALUES ('delete-all')`);
    for (const elements of this.#elements) this.db.exec(elements.deleteAll);
  }

  /** Once the transaction that applied them is committed: counts move, waits for the documents wake. */
  notify({ saved, liveDelta }: Applied<T>): void {
    if (saved.length === 0) return;
    this.#liveCount += liveDelta;
    this.#counts.changed();
    for (const document of saved) {
      // Kept copies move on with the file; others are kept when first read, so that a
      // rebuild of the whole read model does not fill the memory with documents nobody reads.
      this.#recent.update(document);
      this.#waiters.notify(document.id, document.revision);
    }
  }

  /** After deleteAll() is committed. */
  emptied(): void {
    this.#recent.forget();
    this.#liveCount = 0;
    this.#counts.changed();
  }

  waitFor(id: string, revision: number, timeoutMs: number): Promise<T | null> {
    return waitForRevision(this.#waiters, () => this.get(id), id, revision, timeoutMs);
  }

  async ids(): Promise<string[]> {
    return this.#statements.ids.all().map((row) => row.id);
  }

  close(): void {
    this.#waiters.releaseAll();
  }
}
