/**
 * Embedded event store: one SQLite file, written through WAL with a full sync per commit.
 *
 * Appends arriving while a commit is under way (or in the same turn of the event loop) are
 * committed together in the next transaction, one fsync for the lot (sqliteAppender.ts says
 * how conflicts stay apart). With `writerThread`, commits run on a thread of their own, so the
 * event loop is not held while the disk syncs; reads run on this connection either way.
 */
import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type Database from "better-sqlite3";
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
import { serialiseEvent } from "./eventJson.js";
import { type PendingPart, openEventsFile } from "./sqliteAppender.js";
import { type EventWriter, InlineEventWriter, ThreadedEventWriter } from "./sqliteEventWriter.js";

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
   * append signal only covers appends made in this process, so, while a subscription is
   * open, the store also checks SQLite's data_version (a counter bumped by other
   * connections' commits, cheap to read) whenever the file system reports a write to the
   * file (inotify on Linux: at once), and every `otherWritersCheckMs` regardless (3 by
   * default), and wakes its subscriptions when it moves. Without a subscription (a command
   * service that is not rebuilding its read model) nothing is checked.
   */
  watchForOtherWriters?: boolean;
  otherWritersCheckMs?: number;
  /** Commit on a thread of its own (sqliteEventWriter.ts); not for a database in memory. */
  writerThread?: boolean;
}

/** Checks of data_version in case a file-system notice is missed (or there are none). */
const OTHER_WRITERS_CHECK_MS = 3;

export class SqliteEventStore implements EventStore {
  readonly #db: Database.Database;
  readonly #writer: EventWriter;
  readonly #appended = new Signal();
  #queue: PendingWrite[] = [];
  #flushScheduled = false;
  /** The commit under way, if any: the next one starts when it ends. */
  #committing: Promise<void> | undefined;
  #closed = false;
  readonly #statements;
  readonly #readAllStatements = new Map<number, Database.Statement>();
  #poll: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;
  readonly #otherWriters: { filename: string; checkMs: number } | undefined;
  #subscriptions = 0;

  constructor(filename: string, options: SqliteEventStoreOptions = {}) {
    this.#db = openEventsFile(filename);
    this.#writer = options.writerThread && !this.#db.memory ? new ThreadedEventWriter(filename) : new InlineEventWriter(this.#db);
    this.#statements = {
      readStream: this.#db.prepare<[string, number, number], EventRow>(
        "SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?",
      ),
      streamRevision: this.#db.prepare<[string], number | null>("SELECT max(revision) FROM events WHERE stream = ?").pluck(),
    };
    if (options.watchForOtherWriters) this.#otherWriters = { filename, checkMs: options.otherWritersCheckMs ?? OTHER_WRITERS_CHECK_MS };
  }

  /** Starts checking for other processes' appends with the first subscription, stops after the last. */
  #subscribed(change: 1 | -1): void {
    this.#subscriptions += change;
    if (!this.#otherWriters || this.#closed) return;
    if (this.#subscriptions === 1 && change === 1) this.#watchOtherWriters(this.#otherWriters.filename, this.#otherWriters.checkMs);
    if (this.#subscriptions === 0) this.#stopWatching();
  }

  #stopWatching(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #watchOtherWriters(filename: string, checkMs: number): void {
    const dataVersion = this.#db.prepare("PRAGMA data_version").pluck();
    let seen = dataVersion.get();
    const check = () => {
      if (this.#closed) return;
      const now = dataVersion.get();
      if (now !== seen) {
        seen = now;
        this.#appended.notify();
      }
    };
    // The folder, not the file: the write-ahead log is created and truncated as SQLite goes.
    const file = basename(filename);
    try {
      this.#watcher = watch(dirname(filename), { persistent: false }, (_event, name) => {
        if (name?.startsWith(file)) check();
      });
      this.#watcher.on("error", () => this.#watcher?.close());
    } catch {
      // No file-system notices here: the timer alone finds other processes' writes.
    }
    // Referenced on purpose: a process that follows the file has work to do until close().
    this.#poll = setInterval(check, checkMs);
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
      this.#scheduleFlush();
    });
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#committing) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#committing = this.#flush().finally(() => {
        this.#committing = undefined;
        if (this.#queue.length > 0) this.#scheduleFlush();
      });
    });
  }

  /** Commits what is queued; each caller hears of its own write once the commit is on disk. */
  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    let outcomes;
    try {
      outcomes = await this.#writer.commit(
        batch.map((write) => write.parts),
        new Date().toISOString(),
      );
    } catch (error) {
      for (const write of batch) write.reject(error as Error);
      return;
    }
    batch.forEach((write, index) => {
      const outcome = outcomes[index]!;
      if ("conflict" in outcome) write.reject(new WrongExpectedRevision(outcome.conflict.stream, outcome.conflict.expected, outcome.conflict.actual));
      else write.resolve(outcome.results);
    });
    this.#appended.notify();
  }

  async readStream(stream: string, { fromRevision = 0, maxCount = -1 }: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    // LIMIT -1 is SQLite's "no limit".
    if (maxCount === 0) return [];
    return this.#statements.readStream.all(stream, fromRevision, maxCount).map(toRecordedEvent);
  }

  async streamRevision(stream: string): Promise<number> {
    return this.#statements.streamRevision.get(stream) ?? -1;
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
    this.#subscribed(1);
    return {
      [Symbol.asyncIterator]: () => iterator,
      async close() {
        if (closed) return;
        closed = true;
        stop.notify();
        store.#subscribed(-1);
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
    this.#closed = true;
    // Appends already accepted reach the disk before the file closes.
    while (this.#committing || this.#queue.length > 0) await (this.#committing ?? this.#flush());
    this.#stopWatching();
    this.#appended.notify();
    await this.#writer.close();
    this.#db.close();
  }
}

/** Two parts for one stream would each check the same revision: a caller's mistake. */
function assertEachStreamOnce(appends: StreamAppend[]): void {
  const streams = new Set(appends.map((append) => append.stream));
  if (streams.size !== appends.length) throw new Error("A write across several streams names each stream once");
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
