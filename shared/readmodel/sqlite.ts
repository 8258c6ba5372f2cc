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
 * Lists, counts and distinct values run on reader threads (sqliteReader.ts), and writes on a
 * writer thread (sqliteWriter.ts), so that neither a search over many documents nor a batch of
 * index updates holds up the event loop; lookups by id stay on this connection. The tables,
 * and how a batch is written to them, are in sqliteTables.ts.
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
import type { AddressListQuery, Change, CustomerReadModel, DocumentCollection, ListQuery, Page, ProjectedBatch } from "./port.js";
import { type Query, type Value, matchesEverything } from "./query.js";
import { RecentDocuments } from "./recentDocuments.js";
import { RevisionWaiters, waitForRevision } from "./revisionWaiters.js";
import { CountCache } from "./countCache.js";
import { registerReadModelFunctions } from "./sqliteFunctions.js";
import { type DocumentShape, type SqlValue, elementWalk, fieldExpression, toSqlCondition, toSqlOrder } from "./sqliteQuery.js";
import { DEFAULT_READER_THREADS, InlineReader, type SqliteReader, ThreadedReader } from "./sqliteReader.js";
import { type CollectionLayout, CUSTOMERS, GROUPS, LAYOUT, type TableWritten, WRITER_CACHE_KIB, type WrittenChange, createTables, shapeOf } from "./sqliteTables.js";
import { InlineWriter, type SqliteWriter, ThreadedWriter } from "./sqliteWriter.js";

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

export class SqliteReadModel implements CustomerReadModel {
  readonly customers: SqliteCollection<CustomerDocument>;
  readonly groups: SqliteCollection<CustomerGroupDocument>;
  readonly #db: Database.Database;
  readonly #reader: SqliteReader;
  readonly #writer: SqliteWriter;
  /** What the file says of itself: its layout, and the log position the last batch reached. */
  readonly #meta: { get: Database.Statement<[string], { value: string }>; set: Database.Statement<[string, string]> };

  constructor(filename: string, options: SqliteReadModelOptions = {}) {
    this.#db = new Database(filename, { timeout: 10_000 });
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    // The writer's page cache: this connection writes itself when the database is in memory.
    if (this.#db.memory) this.#db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
    registerReadModelFunctions(this.#db);
    this.#db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.#meta = {
      get: this.#db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?"),
      set: this.#db.prepare<[string, string]>("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
    };
    const layout = this.#meta.get.get("layout")?.value;
    if (layout !== LAYOUT) this.#dropEverything();
    createTables(this.#db, CUSTOMERS);
    createTables(this.#db, GROUPS);
    this.#meta.set.run("layout", LAYOUT);
    // The threads open the file once its tables are there.
    this.#reader = this.#db.memory ? new InlineReader(this.#db) : new ThreadedReader(filename, options.readerThreads ?? DEFAULT_READER_THREADS);
    this.#writer = this.#db.memory ? new InlineWriter(this.#db) : new ThreadedWriter(filename);
    this.customers = new SqliteCollection(this.#db, this.#reader, CUSTOMERS, options, (changes) => this.#writeOne("customers", changes));
    this.groups = new SqliteCollection(this.#db, this.#reader, GROUPS, options, (changes) => this.#writeOne("groups", changes));
  }

  async #writeOne(collection: "customers" | "groups", changes: WrittenChange[]): Promise<TableWritten> {
    const written = await this.#writer.write({ customers: [], groups: [], [collection]: changes });
    return written[collection];
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
    const written = await this.#writer.write({ customers: customers.map(toWritten), groups: groups.map(toWritten), position });
    this.customers.notify(customers, written.customers);
    this.groups.notify(groups, written.groups);
  }

  /**
   * Settles once the reader and writer threads take requests. Starting them (loading their
   * modules) can take seconds on a busy machine: the service waits for this before it opens
   * its port, so that the first write is not answered late for it.
   */
  async ready(): Promise<void> {
    await Promise.all([this.#reader.ready(), this.#writer.ready()]);
  }

  async projectedPosition(): Promise<GlobalPosition | undefined> {
    return this.#meta.get.get("position")?.value;
  }

  /** Empties the read model (its position included), to be rebuilt from the event store. */
  async reset(): Promise<void> {
    await this.#writer.reset();
    this.customers.emptied();
    this.groups.emptied();
  }

  async close(): Promise<void> {
    this.customers.close();
    this.groups.close();
    await this.#reader.close();
    await this.#writer.close();
    if (this.#db.open) this.#db.close();
  }
}

const toWritten = <T>({ document, previousRevision }: Change<T>): WrittenChange => ({ body: JSON.stringify(document), previousRevision });

type Stored = { id: string; revision: number; deleted_at: string | null };

/** Up to this many matches, a page reads and sorts them all rather than walking an ordered index. */
const FEW_MATCHES = 200;

class SqliteCollection<T extends Stored> implements DocumentCollection<T> {
  readonly #waiters = new RevisionWaiters();
  readonly #statements;
  readonly #counts = new CountCache();
  readonly #pagePlan: PagePlan;
  readonly #recent: RecentDocuments<T>;
  /** How many live documents there are: what an unfiltered list counts, kept as writes commit. */
  #liveCount: number;
  readonly #table: string;
  readonly shape: DocumentShape;

  constructor(
    db: Database.Database,
    private readonly reader: SqliteReader,
    layout: CollectionLayout,
    options: SqliteReadModelOptions,
    private readonly write: (changes: WrittenChange[]) => Promise<TableWritten>,
  ) {
    this.#pagePlan = options.pagePlan ?? "by count";
    this.#recent = new RecentDocuments(options.cachedDocuments ?? 0, Number.POSITIVE_INFINITY);
    this.#table = layout.table;
    this.shape = shapeOf(layout);
    const { table } = layout;
    this.#statements = {
      get: db.prepare<[string], { body: string }>(`SELECT body FROM ${table} WHERE id = ?`),
      // Any number of ids as one JSON array: one statement, prepared once.
      many: db.prepare<[string], { body: string }>(`SELECT body FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`),
      ids: db.prepare<[], { id: string }>(`SELECT id FROM ${table}`),
    };
    this.#liveCount = db.prepare<[], { count: number }>(`SELECT COUNT(*) AS count FROM ${table} WHERE live = 1`).get()!.count;
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
   * sqrt(rows / (offset + page)) matches. The documents holding one value of an array
   * (`groups=<id>`), in id order, are read from that value's elements (elementWalk). (The page
   * and its count are two reads: a write between them may show in one and not the other, as
   * with the MongoDB read model.)
   */
  async list({ filter, sort, skip, limit }: ListQuery): Promise<Page<T>> {
    const walk = elementWalk(filter, sort, this.shape);
    if (walk) {
      const count = await this.#count(walk.count, walk.params);
      return limit === 0 ? { documents: [], count } : { documents: await this.#page(walk.page, [...walk.params, limit, skip]), count };
    }
    const condition = toSqlCondition(filter, this.shape);
    // `+live` keeps SQLite from scanning the index of live rows when an index lists the matches.
    const count = matchesEverything(filter)
      ? this.#liveCount
      : await this.#count(`SELECT COUNT(*) AS count FROM ${this.#table} WHERE ${condition.narrows ? "+" : ""}live = 1 AND ${condition.sql}`, condition.params);
    if (limit === 0) return { documents: [], count };
    const fewMatches =
      this.#pagePlan === "by count" ? count <= FEW_MATCHES || count * count <= (skip + limit) * this.#liveCount : this.#pagePlan === "few matches";
    const matching = fewMatches ? condition : toSqlCondition(filter, this.shape, "rows");
    const live = `${fewMatches && condition.narrows ? "+" : ""}live = 1`;
    const sql = `SELECT body FROM ${this.#table} WHERE ${live} AND ${matching.sql} ORDER BY ${toSqlOrder(sort, this.shape, fewMatches)} LIMIT ? OFFSET ?`;
    return { documents: await this.#page(sql, [...matching.params, limit, skip]), count };
  }

  /** A count query's answer, kept until the collection changes (CountCache). */
  #count(sql: string, params: SqlValue[]): Promise<number> {
    return this.#counts.count(`${sql}\u0000${JSON.stringify(params)}`, async () => {
      const [counted] = (await this.reader.read([{ sql, params }])) as [Array<{ count: number }>];
      return counted[0]!.count;
    });
  }

  async #page(sql: string, params: SqlValue[]): Promise<T[]> {
    const [rows] = (await this.reader.read([{ sql, params }])) as [Array<{ body: string }>];
    return rows.map((row) => JSON.parse(row.body) as T);
  }

  async distinct(field: string, filter: Query): Promise<Value[]> {
    const condition = toSqlCondition(filter, this.shape);
    const matching = `SELECT body FROM ${this.#table} WHERE live = 1 AND ${condition.sql}`;
    const sql = this.shape.arrayFields.includes(field)
      ? `SELECT DISTINCT element.value AS value, element.type AS type FROM (${matching}) AS matching, json_each(matching.body, '$.${field}') AS element`
      : `SELECT DISTINCT ${fieldExpression(field, undefined, "matching.body")} AS value, json_type(matching.body, '$.${field}') AS type FROM (${matching}) AS matching WHERE type IS NOT NULL`;
    const [rows] = (await this.reader.read([{ sql, params: condition.params }])) as [Array<{ value: SqlValue; type: string }>];
    return rows.map(({ value, type }) => (type === "true" ? true : type === "false" ? false : value));
  }

  async save(changes: Change<T>[]): Promise<void> {
    this.notify(changes, await this.write(changes.map(toWritten)));
  }

  /** Once the writer committed them: counts move, kept copies follow, waits for the documents wake. */
  notify(changes: Change<T>[], { saved, liveDelta }: TableWritten): void {
    if (saved.length === 0) return;
    this.#liveCount += liveDelta;
    this.#counts.changed();
    const written = new Set(saved);
    for (const { document } of changes) {
      if (!written.has(document.id)) continue;
      // Kept copies move on with the file; others are kept when first read, so that a
      // rebuild of the whole read model does not fill the memory with documents nobody reads.
      this.#recent.update(document);
      this.#waiters.notify(document.id, document.revision);
    }
  }

  /** After the writer emptied the collection. */
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
