/**
 * Embedded event store: one SQLite file, written through WAL with a full sync per commit.
 *
 * Appends arriving in the same turn of the event loop are committed together in one
 * transaction (one fsync for the lot); each keeps its own expected-revision check, so one
 * conflicting append fails alone. A write across several streams runs in a savepoint of
 * that transaction: one stream's conflict undoes the others' events and nothing else.
 */
import Database from "better-sqlite3";
import { Signal } from "../signal.js";
import {
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type GlobalPosition,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type Subscription,
  EventStoreUnavailable,
  WrongExpectedRevision,
} from "./port.js";
import { type SerialisedEvent, serialiseEvent } from "./eventJson.js";

interface PendingPart {
  stream: string;
  events: SerialisedEvent[];
  expectedRevision: ExpectedRevision;
}

/** One caller's write: a single stream, or several written together or not at all. */
interface PendingWrite {
  parts: PendingPart[];
  resolve: (results: AppendResult[]) => void;
  reject: (error: Error) => void;
}

interface EventRow {
  position: number;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

const SUBSCRIPTION_PAGE = 512;

export interface SqliteEventStoreOptions {
  /**
   * Set when other processes append to the same file (cluster mode on one machine): its own
   * append signal only covers appends made in this process, so the store also checks
   * SQLite's data_version (a counter bumped by other connections' commits, cheap to read)
   * every few milliseconds and wakes its subscriptions when it moves.
   */
  watchForOtherWriters?: boolean;
}

const OTHER_WRITERS_CHECK_MS = 3;

export class SqliteEventStore implements EventStore {
  readonly #db: Database.Database;
  readonly #appended = new Signal();
  #queue: PendingWrite[] = [];
  #flushScheduled = false;
  #closed = false;
  readonly #statements;
  readonly #readAllStatements = new Map<number, Database.Statement>();
  #poll: NodeJS.Timeout | undefined;

  constructor(filename: string, options: SqliteEventStoreOptions = {}) {
    this.#db = new Database(filename, { timeout: 10_000 });
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.exec(`
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
    this.#statements = {
      streamRevision: this.#db.prepare<[string], { revision: number | null }>(
        "SELECT MAX(revision) AS revision FROM events WHERE stream = ?",
      ),
      insert: this.#db.prepare(
        "INSERT INTO events (stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      readStream: this.#db.prepare<[string, number, number], EventRow>(
        "SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?",
      ),
      head: this.#db.prepare<[], { position: number | null }>("SELECT MAX(position) AS position FROM events"),
    };
    if (options.watchForOtherWriters) this.#watchOtherWriters();
  }

  #watchOtherWriters(): void {
    const dataVersion = this.#db.prepare("PRAGMA data_version").pluck();
    let seen = dataVersion.get();
    // Referenced on purpose: a process that follows the file has work to do until close().
    this.#poll = setInterval(() => {
      const now = dataVersion.get();
      if (now !== seen) {
        seen = now;
        this.#appended.notify();
      }
    }, OTHER_WRITERS_CHECK_MS);
  }

  async appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.appendToStreams([{ stream, events, expectedRevision: options.expectedRevision }]);
    return result!;
  }

  appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    if (this.#closed) return Promise.reject(new EventStoreUnavailable("The event store is closed"));
    let parts: PendingPart[];
    try {
      assertEachStreamOnce(appends);
      parts = appends.map(({ stream, events, expectedRevision }) => ({ stream, expectedRevision, events: events.map((event) => serialiseEvent(stream, event)) }));
    } catch (error) {
      return Promise.reject(error);
    }
    if (parts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ parts, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const outcomes: Array<AppendResult[] | Error> = [];
    const recordedAt = new Date().toISOString();
    try {
      this.#db.transaction(() => {
        for (const write of batch) outcomes.push(this.#writeInTransaction(write.parts, recordedAt));
      })();
    } catch (error) {
      const failure = new EventStoreUnavailable(`The event store could not write: ${(error as Error).message}`);
      for (const write of batch) write.reject(failure);
      return;
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index]!;
      if (outcome instanceof Error) write.reject(outcome);
      else write.resolve(outcome);
    });
    this.#appended.notify();
  }

  /** Every part written, or the conflict that undid them all. */
  #writeInTransaction(parts: PendingPart[], recordedAt: string): AppendResult[] | WrongExpectedRevision {
    if (parts.length === 1) {
      const outcome = this.#appendInTransaction(parts[0]!, recordedAt);
      return outcome instanceof Error ? outcome : [outcome];
    }
    try {
      // Nested in the batch's transaction, better-sqlite3 runs this in a savepoint.
      return this.#db.transaction(() =>
        parts.map((part) => {
          const outcome = this.#appendInTransaction(part, recordedAt);
          if (outcome instanceof Error) throw outcome;
          return outcome;
        }),
      )();
    } catch (error) {
      if (error instanceof WrongExpectedRevision) return error;
      throw error;
    }
  }

  #appendInTransaction(append: PendingPart, recordedAt: string): AppendResult | WrongExpectedRevision {
    const current = this.#statements.streamRevision.get(append.stream)?.revision ?? null;
    const conflict = checkExpectedRevision(append.stream, append.expectedRevision, current);
    if (conflict) return conflict;
    let revision = current ?? -1;
    let position = 0;
    for (const event of append.events) {
      revision += 1;
      const info = this.#statements.insert.run(
        append.stream,
        revision,
        event.type,
        event.data,
        event.metadata,
        recordedAt,
      );
      position = Number(info.lastInsertRowid);
    }
    if (append.events.length === 0) {
      position = this.#statements.head.get()?.position ?? 0;
    }
    return { revision, position: String(position) };
  }

  async readStream(stream: string, { fromRevision = 0, maxCount = -1 }: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    // LIMIT -1 is SQLite's "no limit".
    if (maxCount === 0) return [];
    return this.#statements.readStream.all(stream, fromRevision, maxCount).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.#readAllSync(options);
  }

  #readAllSync({ after, streamPrefixes = [], maxCount }: ReadAllOptions): RecordedEvent[] {
    const statement = this.#readAllStatement(streamPrefixes.length);
    const prefixArgs = streamPrefixes.flatMap((prefix) => [prefix.length, prefix]);
    const rows = statement.all(Number(after ?? 0), ...prefixArgs, maxCount) as EventRow[];
    return rows.map(toRecordedEvent);
  }

  #readAllStatement(prefixCount: number): Database.Statement {
    let statement = this.#readAllStatements.get(prefixCount);
    if (!statement) {
      const filter =
        prefixCount === 0 ? "" : ` AND (${Array.from({ length: prefixCount }, () => "substr(stream, 1, ?) = ?").join(" OR ")})`;
      statement = this.#db.prepare(`SELECT * FROM events WHERE position > ?${filter} ORDER BY position LIMIT ?`);
      this.#readAllStatements.set(prefixCount, statement);
    }
    return statement;
  }

  subscribeToAll(options: { after?: GlobalPosition; streamPrefixes?: string[] }): Subscription {
    let closed = false;
    const stop = new Signal();
    const store = this;
    async function* follow(): AsyncGenerator<RecordedEvent> {
      let after = options.after;
      while (!closed && !store.#closed) {
        const appended = store.#appended.next();
        const page = store.#readAllSync({ after, streamPrefixes: options.streamPrefixes, maxCount: SUBSCRIPTION_PAGE });
        for (const event of page) {
          if (closed) return;
          yield event;
          after = event.position;
        }
        if (page.length < SUBSCRIPTION_PAGE) await Promise.race([appended, stop.next()]);
      }
    }
    const iterator = follow();
    return {
      [Symbol.asyncIterator]: () => iterator,
      async close() {
        closed = true;
        stop.notify();
      },
    };
  }

  async headPosition(options: { streamPrefixes?: string[] } = {}): Promise<GlobalPosition | undefined> {
    const prefixes = options.streamPrefixes ?? [];
    const filter = prefixes.map(() => "substr(stream, 1, ?) = ?").join(" OR ");
    const sql = `SELECT MAX(position) AS position FROM events${filter ? ` WHERE ${filter}` : ""}`;
    const row = this.#db.prepare(sql).get(...prefixes.flatMap((p) => [p.length, p])) as { position: number | null };
    return row.position === null ? undefined : String(row.position);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Let appends already accepted reach the disk before the file closes.
    if (this.#queue.length > 0) this.#flush();
    this.#closed = true;
    clearInterval(this.#poll);
    this.#appended.notify();
    this.#db.close();
  }
}

/** Two parts for one stream would each check the same revision: a caller's mistake. */
function assertEachStreamOnce(appends: StreamAppend[]): void {
  const streams = new Set(appends.map((append) => append.stream));
  if (streams.size !== appends.length) throw new Error("A write across several streams names each stream once");
}

function checkExpectedRevision(
  stream: string,
  expected: ExpectedRevision,
  current: number | null,
): WrongExpectedRevision | undefined {
  const actual = current ?? "no_stream";
  if (expected === "any") return undefined;
  if (expected === "no_stream") return current === null ? undefined : new WrongExpectedRevision(stream, expected, actual);
  if (expected === "stream_exists") return current !== null ? undefined : new WrongExpectedRevision(stream, expected, actual);
  return current === expected ? undefined : new WrongExpectedRevision(stream, expected, actual);
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    stream: row.stream,
    revision: row.revision,
    position: String(row.position),
    type: row.type,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    recorded_at: row.recorded_at,
  };
}
