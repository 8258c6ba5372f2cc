/**
 * The SQLite read model's tables, and how a batch of changed documents is written to them.
 * Used by whichever connection writes the file: the writer thread (sqliteWriterWorker.ts), or
 * the read model's own connection for a database in memory.
 */
import type Database from "better-sqlite3";
import { foldCase } from "./caseFold.js";
import { ReadModelRevisionGap } from "./port.js";
import { type DocumentShape, type SqlValue, columnName, columnValue } from "./sqliteQuery.js";

/**
 * The file's layout: raise it whenever a projection (customerDocument.ts,
 * customerGroupDocument.ts) changes what it builds, or the tables change, so existing files
 * are rebuilt.
 */
export const LAYOUT = "6";

/**
 * The page cache of the connection that writes: the pages of the indexes a write touches stay
 * in memory (SQLite's default keeps 2 MiB).
 */
export const WRITER_CACHE_KIB = 32 * 1024;

/**
 * How each collection is kept: the fields its lists filter or sort on, each in a column of its
 * own indexed after `live` (not `deleted_at`: no listed document has one); its array fields;
 * the text fields its searches (`q`) look through, in a substring index.
 */
export interface CollectionLayout {
  table: string;
  indexed: readonly string[];
  /**
   * Indexed fields also listed newest first, with a second index in that direction: ties go
   * by id ascending either way, which an index read backwards cannot give without sorting.
   */
  descending: readonly string[];
  arrayFields: readonly string[];
  /** Array fields of strings whose elements are indexed, for "has one of these" filters. */
  elementIndexed: readonly string[];
  searchable: readonly string[];
}

export const CUSTOMERS: CollectionLayout = {
  table: "customers",
  indexed: ["email", "company_name", "first_name", "last_name", "phone", "created_by", "has_account", "created_at", "updated_at"],
  descending: ["created_at", "updated_at"],
  arrayFields: ["group_ids", "addresses"],
  elementIndexed: ["group_ids"],
  searchable: ["company_name", "first_name", "last_name", "email", "phone"],
};

export const GROUPS: CollectionLayout = {
  table: "customer_groups",
  indexed: ["name", "created_by", "created_at", "updated_at"],
  descending: ["created_at", "updated_at"],
  arrayFields: [],
  elementIndexed: [],
  searchable: ["name"],
};

const textTable = (layout: CollectionLayout) => `${layout.table}_text`;
const elementTable = (layout: CollectionLayout, field: string) => `${layout.table}_${field}`;

/** What the query translation (sqliteQuery.ts) needs to know of a collection. */
export function shapeOf(layout: CollectionLayout): DocumentShape {
  return {
    table: layout.table,
    columns: layout.indexed,
    arrayFields: layout.arrayFields,
    substringIndex: { table: textTable(layout), fields: layout.searchable },
    elementIndexes: Object.fromEntries(layout.elementIndexed.map((field) => [field, elementTable(layout, field)])),
  };
}

export function createTables(db: Database.Database, layout: CollectionLayout): void {
  const { table } = layout;
  // The listed fields in columns of their own, without a declared type, so that each keeps
  // the kind of value json_extract would give (text, integer, real, null).
  const columns = layout.indexed.map(columnName);
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, revision INTEGER NOT NULL, live INTEGER NOT NULL, body TEXT NOT NULL, ${columns.join(", ")})`);
  db.exec(`CREATE INDEX IF NOT EXISTS ${table}_live_id ON ${table} (live, id)`);
  for (const field of layout.indexed) db.exec(`CREATE INDEX IF NOT EXISTS ${table}_live_${field} ON ${table} (live, ${columnName(field)}, id)`);
  for (const field of layout.descending) db.exec(`CREATE INDEX IF NOT EXISTS ${table}_live_${field}_desc ON ${table} (live, ${columnName(field)} DESC, id)`);
  // Trigrams of the live documents' folded text (caseFold.ts), matched as folded: the
  // index holds only what it needs to find rows, not the text itself.
  db.exec(
    `CREATE VIRTUAL TABLE IF NOT EXISTS ${textTable(layout)} USING fts5(${layout.searchable.join(", ")}, content='', contentless_delete=1, tokenize='trigram case_sensitive 1')`,
  );
  for (const field of layout.elementIndexed) {
    const elements = elementTable(layout, field);
    db.exec(`CREATE TABLE IF NOT EXISTS ${elements} (value NOT NULL, owner_id TEXT NOT NULL, owner INTEGER NOT NULL, PRIMARY KEY (value, owner_id)) WITHOUT ROWID`);
    db.exec(`CREATE INDEX IF NOT EXISTS ${elements}_owner ON ${elements} (owner)`);
  }
}

/** A change as it travels to the writer: the document as JSON, and the revision it expects. */
export interface WrittenChange {
  body: string;
  previousRevision: number | null;
}

/** What a batch wrote to one collection: the documents' ids, and how many more are live. */
export interface TableWritten {
  saved: string[];
  liveDelta: number;
}

type StoredDocument = Record<string, unknown> & { id: string; revision: number; deleted_at: string | null };

const searchableText = (value: unknown): string | null => (typeof value === "string" ? foldCase(value) : null);

/** Writes one collection's documents, inside the caller's transaction. */
export class TableWriter {
  readonly #statements;
  readonly #elements;
  readonly #updates = new Map<string, Database.Statement<SqlValue[]>>();

  constructor(
    private readonly db: Database.Database,
    private readonly layout: CollectionLayout,
  ) {
    const { table } = layout;
    const columns = layout.indexed.map(columnName);
    const text = textTable(layout);
    this.#statements = {
      // With the indexed columns, to tell which indexes (and whether the trigrams) need the document again.
      stored: db.prepare<[string], { rowid: number; revision: number; live: number } & Record<string, SqlValue>>(
        `SELECT rowid, revision, live, ${columns.join(", ")} FROM ${table} WHERE id = ?`,
      ),
      insert: db.prepare<SqlValue[], { rowid: number }>(
        `INSERT INTO ${table} (id, revision, live, body, ${columns.join(", ")}) VALUES (?, ?, ?, ?${", ?".repeat(columns.length)}) RETURNING rowid`,
      ),
      forgetText: db.prepare<[number]>(`DELETE FROM ${text} WHERE rowid = ?`),
      indexText: db.prepare(`INSERT INTO ${text} (rowid, ${layout.searchable.join(", ")}) VALUES (?${", ?".repeat(layout.searchable.length)})`),
    };
    this.#elements = layout.elementIndexed.map((field) => ({
      field,
      forget: db.prepare<[number]>(`DELETE FROM ${elementTable(layout, field)} WHERE owner = ?`),
      add: db.prepare<[SqlValue, string, number]>(`INSERT OR IGNORE INTO ${elementTable(layout, field)} (value, owner_id, owner) VALUES (?, ?, ?)`),
    }));
  }

  /**
   * The UPDATE of a stored row that sets only the columns whose values changed: SQLite
   * rewrites the entries of every index over a column an UPDATE sets, changed or not, and
   * `live` leads every index. One statement per set of columns, prepared once.
   */
  #updateOf(columns: string[]): Database.Statement<SqlValue[]> {
    const key = columns.join(",");
    let update = this.#updates.get(key);
    if (!update) {
      update = this.db.prepare<SqlValue[]>(`UPDATE ${this.layout.table} SET revision = ?, body = ?${columns.map((column) => `, ${column} = ?`).join("")} WHERE rowid = ?`);
      this.#updates.set(key, update);
    }
    return update;
  }

  apply(changes: WrittenChange[]): TableWritten {
    const written: TableWritten = { saved: [], liveDelta: 0 };
    for (const { body, previousRevision } of changes) {
      const document = JSON.parse(body) as StoredDocument;
      const stored = this.#statements.stored.get(document.id);
      const storedRevision = stored?.revision ?? null;
      if (storedRevision !== null && storedRevision >= document.revision) continue;
      if (storedRevision !== previousRevision) throw new ReadModelRevisionGap(document.id, storedRevision, document.revision);
      const live = document.deleted_at === null;
      const values = this.layout.indexed.map((field) => columnValue(document[field]));
      let rowid: number;
      if (stored) {
        const changed: Array<[string, SqlValue]> = [];
        if (stored.live !== Number(live)) changed.push(["live", Number(live)]);
        this.layout.indexed.forEach((field, index) => {
          const column = columnName(field);
          if (stored[column] !== values[index]) changed.push([column, values[index]!]);
        });
        this.#updateOf(changed.map(([column]) => column)).run(document.revision, body, ...changed.map(([, value]) => value), stored.rowid);
        rowid = stored.rowid;
      } else {
        rowid = this.#statements.insert.get(document.id, document.revision, Number(live), body, ...values)!.rowid;
      }
      // Most updates leave the searched fields alone (metadata, addresses, groups): then the
      // document's trigrams stay as they are.
      const sameText = stored?.live === 1 && live && this.layout.searchable.every((field) => stored[columnName(field)] === columnValue(document[field]));
      if (stored && !sameText) this.#statements.forgetText.run(rowid);
      for (const elements of this.#elements) {
        if (stored) elements.forget.run(rowid);
        const value = document[elements.field];
        // Only the live documents' elements: every list reads live documents only.
        if (live && Array.isArray(value)) for (const element of value) if (typeof element === "string") elements.add.run(element, document.id, rowid);
      }
      if (live && !sameText) this.#statements.indexText.run(rowid, ...this.layout.searchable.map((field) => searchableText(document[field])));
      written.liveDelta += Number(live) - (stored?.live ?? 0);
      written.saved.push(document.id);
    }
    return written;
  }

  deleteAll(): void {
    this.db.exec(`DELETE FROM ${this.layout.table}; INSERT INTO ${textTable(this.layout)} (${textTable(this.layout)}) VALUES ('delete-all')`);
    for (const field of this.layout.elementIndexed) this.db.exec(`DELETE FROM ${elementTable(this.layout, field)}`);
  }
}

/** A batch as it travels to the writer: both collections' changes, and the log position it reaches. */
export interface WrittenBatch {
  customers: WrittenChange[];
  groups: WrittenChange[];
  position?: string;
}

export interface BatchWritten {
  customers: TableWritten;
  groups: TableWritten;
}

/** Writes a batch to both collections and the position it reaches, in one transaction. */
export class BatchWriter {
  readonly #customers: TableWriter;
  readonly #groups: TableWriter;
  readonly #setPosition: Database.Statement<[string]>;

  constructor(private readonly db: Database.Database) {
    this.#customers = new TableWriter(db, CUSTOMERS);
    this.#groups = new TableWriter(db, GROUPS);
    this.#setPosition = db.prepare<[string]>("INSERT INTO meta (key, value) VALUES ('position', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  }

  write(batch: WrittenBatch): BatchWritten {
    return this.db.transaction(() => {
      const written = { customers: this.#customers.apply(batch.customers), groups: this.#groups.apply(batch.groups) };
      if (batch.position !== undefined) this.#setPosition.run(batch.position);
      return written;
    })();
  }

  /** Empties both collections and forgets the position. */
  reset(): void {
    this.db.transaction(() => {
      this.#customers.deleteAll();
      this.#groups.deleteAll();
      this.db.exec("DELETE FROM meta WHERE key = 'position'");
    })();
  }
}
