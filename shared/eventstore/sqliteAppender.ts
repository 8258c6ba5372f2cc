/**
 * How the embedded store writes appends to its file, on whichever connection writes (the
 * store's own, or its writer thread's): a batch of callers' writes in one transaction, one
 * fsync for the lot. Each write keeps its own expected-revision checks, so one conflicting
 * write fails alone; a write across several streams runs in a savepoint of that transaction,
 * so one stream's conflict undoes the others' events and nothing else.
 */
import Database from "better-sqlite3";
import type { SerialisedEvent } from "./eventJson.js";
import type { AppendResult, ExpectedRevision } from "./port.js";

export interface PendingPart {
  stream: string;
  events: SerialisedEvent[];
  expectedRevision: ExpectedRevision;
}

/** A stream that was not where a write expected it, as plain data (it crosses threads). */
export interface RevisionConflict {
  stream: string;
  expected: ExpectedRevision;
  actual: number | "no_stream";
}

/** What became of one write: every part's result, or the conflict that undid them all. */
export type WriteOutcome = { results: AppendResult[] } | { conflict: RevisionConflict };

/** The events file: its table, write-ahead logging, and a full sync at every commit. */
export function openEventsFile(filename: string, options: { mustExist?: boolean } = {}): Database.Database {
  const db = new Database(filename, { timeout: 10_000, fileMustExist: options.mustExist ?? false });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      position    INTEGER PRIMARY KEY AUTOINCREMENT,
      stream      TEXT    NOT NULL,
      revision    INTEGER NOT NULL,
      type        TEXT    NOT NULL,
      data        TEXT    NOT NULL,
      metadata    TEXT    NOT NULL,
      recorded_at TEXT    NOT NULL,
      UNIQUE (stream, revision)
    );
  `);
  return db;
}

/** Thrown inside a savepoint to undo a write across streams. */
class Undo extends Error {
  constructor(readonly conflict: RevisionConflict) {
    super("undo");
  }
}

export class SqliteAppender {
  readonly #db: Database.Database;
  readonly #streamRevision: Database.Statement<[string], { revision: number | null }>;
  readonly #insert: Database.Statement;
  readonly #head: Database.Statement<[], { position: number | null }>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#streamRevision = db.prepare("SELECT MAX(revision) AS revision FROM events WHERE stream = ?");
    this.#insert = db.prepare("INSERT INTO events (stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?)");
    this.#head = db.prepare("SELECT MAX(position) AS position FROM events");
  }

  /**
   * Commits the writes that pass their checks, in one transaction; throws (and commits
   * nothing) when the file cannot be written.
   */
  commit(writes: PendingPart[][], recordedAt: string): WriteOutcome[] {
    // BEGIN IMMEDIATE: the write lock is taken first, waiting out other processes' writes (the
    // busy timeout). A deferred transaction would read the revisions, then fail at once with
    // "database is locked" when another process committed meanwhile (SQLite cannot upgrade a
    // read on an old snapshot to a write), which a cluster sharing the file meets under load.
    return this.#db.transaction(() => writes.map((parts) => this.#write(parts, recordedAt))).immediate();
  }

  #write(parts: PendingPart[], recordedAt: string): WriteOutcome {
    if (parts.length === 1) {
      const outcome = this.#append(parts[0]!, recordedAt);
      return "conflict" in outcome ? outcome : { results: [outcome] };
    }
    try {
      // Nested in the batch's transaction, better-sqlite3 runs this in a savepoint.
      const results = this.#db.transaction(() =>
        parts.map((part) => {
          const outcome = this.#append(part, recordedAt);
          if ("conflict" in outcome) throw new Undo(outcome.conflict);
          return outcome;
        }),
      )();
      return { results };
    } catch (error) {
      if (error instanceof Undo) return { conflict: error.conflict };
      throw error;
    }
  }

  #append(part: PendingPart, recordedAt: string): AppendResult | { conflict: RevisionConflict } {
    const current = this.#streamRevision.get(part.stream)?.revision ?? null;
    if (!revisionMatches(part.expectedRevision, current)) {
      return { conflict: { stream: part.stream, expected: part.expectedRevision, actual: current ?? "no_stream" } };
    }
    let revision = current ?? -1;
    let position = 0;
    for (const event of part.events) {
      revision += 1;
      position = Number(this.#insert.run(part.stream, revision, event.type, event.data, event.metadata, recordedAt).lastInsertRowid);
    }
    if (part.events.length === 0) position = this.#head.get()?.position ?? 0;
    return { revision, position: String(position) };
  }
}

function revisionMatches(expected: ExpectedRevision, current: number | null): boolean {
  if (expected === "any") return true;
  if (expected === "no_stream") return current === null;
  if (expected === "stream_exists") return current !== null;
  return current === expected;
}
