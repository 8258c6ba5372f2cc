/**
 * A durable read model in a SQLite file of its own: one table per collection, each document
 * as JSON text with its id, its revision and whether it is live, and an index per field the
 * lists filter or sort on (`json_extract(body, '$.field')`), so a page in any supported order
 * reads only its rows. Queries are translated by sqliteQuery.ts with MongoDB's semantics;
 * the read-model contract suite holds it to the same answers as the other adapters. A batch
 * of changes is one transaction, each change guarded by the revision it expects.
 */
import Database from "better-sqlite3";
import type { CustomerAddress } from "../customers/customer.js";
import { addressPage } from "./addressPage.js";
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";
import { compiledPattern } from "./pattern.js";
import { type AddressListQuery, type Change, type CustomerReadModel, type DocumentCollection, type ListQuery, type Page, ReadModelRevisionGap } from "./port.js";
import type { Query, Value } from "./query.js";
import { RevisionWaiters, waitForRevision } from "./revisionWaiters.js";
import { type DocumentShape, type SqlValue, fieldExpression, toSqlCondition, toSqlOrder } from "./sqliteQuery.js";

/** The fields each collection's lists filter or sort on, each indexed after `live`. */
const CUSTOMER_INDEXED = ["email", "company_name", "first_name", "last_name", "phone", "created_by", "has_account", "created_at", "updated_at", "deleted_at"];
const GROUP_INDEXED = ["name", "created_by", "created_at", "updated_at", "deleted_at"];

export class SqliteReadModel implements CustomerReadModel {
  readonly customers: SqliteCollection<CustomerDocument>;
  readonly groups: SqliteCollection<CustomerGroupDocument>;
  readonly #db: Database.Database;

  constructor(filename: string) {
    this.#db = new Database(filename, { timeout: 10_000 });
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    this.#db.function("re2_match", { deterministic: true }, (pattern: unknown, ignoreCase: unknown, value: unknown) =>
      typeof value === "string" && compiledPattern(String(pattern), ignoreCase === 1).test(value) ? 1 : 0,
    );
    this.customers = new SqliteCollection(this.#db, "customers", CUSTOMER_INDEXED, { arrayFields: ["group_ids", "addresses"] });
    this.groups = new SqliteCollection(this.#db, "customer_groups", GROUP_INDEXED, { arrayFields: [] });
  }

  async listAddresses(query: AddressListQuery): Promise<Page<CustomerAddress>> {
    return addressPage(await this.customers.get(query.customerId), query);
  }

  async close(): Promise<void> {
    this.customers.close();
    this.groups.close();
    if (this.#db.open) this.#db.close();
  }
}

type Stored = { id: string; revision: number; deleted_at: string | null };

/** Rows looked up at once by id (SQLite's limit on bound parameters is far above it). */
const IDS_AT_ONCE = 500;

class SqliteCollection<T extends Stored> implements DocumentCollection<T> {
  readonly #waiters = new RevisionWaiters();
  readonly #statements;

  constructor(
    private readonly db: Database.Database,
    private readonly table: string,
    indexed: readonly string[],
    private readonly shape: DocumentShape,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, revision INTEGER NOT NULL, live INTEGER NOT NULL, body TEXT NOT NULL)`);
    db.exec(`CREATE INDEX IF NOT EXISTS ${table}_live_id ON ${table} (live, id)`);
    for (const field of indexed) db.exec(`CREATE INDEX IF NOT EXISTS ${table}_live_${field} ON ${table} (live, ${fieldExpression(field)}, id)`);
    this.#statements = {
      get: db.prepare<[string], { body: string }>(`SELECT body FROM ${table} WHERE id = ?`),
      revision: db.prepare<[string], { revision: number }>(`SELECT revision FROM ${table} WHERE id = ?`),
      upsert: db.prepare<[string, number, number, string]>(
        `INSERT INTO ${table} (id, revision, live, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, live = excluded.live, body = excluded.body`,
      ),
      ids: db.prepare<[], { id: string }>(`SELECT id FROM ${table}`),
    };
  }

  async get(id: string): Promise<T | null> {
    const row = this.#statements.get.get(id);
    return row ? (JSON.parse(row.body) as T) : null;
  }

  async getMany(ids: string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for (let start = 0; start < ids.length; start += IDS_AT_ONCE) {
      const slice = ids.slice(start, start + IDS_AT_ONCE);
      const rows = this.db.prepare(`SELECT body FROM ${this.table} WHERE id IN (${slice.map(() => "?").join(", ")})`).all(...slice) as Array<{ body: string }>;
      for (const row of rows) {
        const document = JSON.parse(row.body) as T;
        found.set(document.id, document);
      }
    }
    // In the order asked, as the other adapters answer.
    return new Map(ids.filter((id) => found.has(id)).map((id) => [id, found.get(id)!]));
  }

  async list({ filter, sort, skip, limit }: ListQuery): Promise<Page<T>> {
    const condition = toSqlCondition(filter, this.shape);
    const where = `live = 1 AND ${condition.sql}`;
    const rows =
      limit === 0
        ? []
        : (this.db.prepare(`SELECT body FROM ${this.table} WHERE ${where} ORDER BY ${toSqlOrder(sort)} LIMIT ? OFFSET ?`).all(...condition.params, limit, skip) as Array<{ body: string }>);
    const { count } = this.db.prepare(`SELECT COUNT(*) AS count FROM ${this.table} WHERE ${where}`).get(...condition.params) as { count: number };
    return { documents: rows.map((row) => JSON.parse(row.body) as T), count };
  }

  async distinct(field: string, filter: Query): Promise<Value[]> {
    const condition = toSqlCondition(filter, this.shape);
    const matching = `SELECT body FROM ${this.table} WHERE live = 1 AND ${condition.sql}`;
    const sql = this.shape.arrayFields.includes(field)
      ? `SELECT DISTINCT element.value AS value, element.type AS type FROM (${matching}) AS matching, json_each(matching.body, '$.${field}') AS element`
      : `SELECT DISTINCT ${fieldExpression(field, "matching.body")} AS value, json_type(matching.body, '$.${field}') AS type FROM (${matching}) AS matching WHERE type IS NOT NULL`;
    const rows = this.db.prepare(sql).all(...condition.params) as Array<{ value: SqlValue; type: string }>;
    return rows.map(({ value, type }) => (type === "true" ? true : type === "false" ? false : value));
  }

  async save(changes: Change<T>[]): Promise<void> {
    const saved: T[] = [];
    this.db.transaction(() => {
      for (const { document, previousRevision } of changes) {
        const stored = this.#statements.revision.get(document.id)?.revision ?? null;
        if (stored !== null && stored >= document.revision) continue;
        if (stored !== previousRevision) throw new ReadModelRevisionGap(document.id, stored, document.revision);
        this.#statements.upsert.run(document.id, document.revision, document.deleted_at === null ? 1 : 0, JSON.stringify(document));
        saved.push(document);
      }
    })();
    for (const document of saved) this.#waiters.notify(document.id, document.revision);
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
