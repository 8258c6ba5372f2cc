/**
 * Where the SQLite read model runs its lists, counts and distinct values: on reader threads
 * (sqliteReaderWorker.ts), each with its own connection to the file, so that a list that
 * scans many documents (a search, a pattern) never holds up the event loop that answers
 * every other request. Lookups by id stay on the main connection: they read one row through
 * the primary key, faster than a message to a thread. (Writes have a thread of their own,
 * sqliteWriter.ts.)
 *
 * A read model in memory (":memory:") cannot be shared with a thread: its reader runs the
 * statements on the main connection.
 */
import { availableParallelism } from "node:os";
import type Database from "better-sqlite3";
import { ReadModelUnavailable } from "./port.js";
import type { RequestThread } from "../threads/requestThread.js";
import { readModelWorker, startReadModelThread } from "./sqliteThread.js";
import type { SqlValue } from "./sqliteQuery.js";

export interface SqlStatement {
  sql: string;
  params: SqlValue[];
}

export interface SqliteReader {
  /** The rows of each statement, all read in one transaction (one snapshot). */
  read(statements: SqlStatement[]): Promise<unknown[][]>;
  /** Settles once reads are taken without waiting for a thread to start. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Threads that leave a core to the event loop on a small machine, and no more than four:
 * a list page reads little once indexed, so more threads would mostly wait on one another.
 */
export const DEFAULT_READER_THREADS = Math.max(1, Math.min(4, availableParallelism() - 1));

const READER_MODULE = readModelWorker("sqliteReaderWorker");

/** The statements on the caller's own connection, for a read model that no thread can open. */
export class InlineReader implements SqliteReader {
  constructor(private readonly db: Database.Database) {}

  async ready(): Promise<void> {}

  async read(statements: SqlStatement[]): Promise<unknown[][]> {
    return this.db.transaction(() => statements.map(({ sql, params }) => this.db.prepare(sql).all(...params))).deferred();
  }

  async close(): Promise<void> {}
}

/**
 * Requests go to the thread with the fewest in flight. A thread that stops (it could not open
 * the file, or failed) fails its requests as unavailable, and is started again at the next
 * request rather than at once, so a file that cannot be opened does not start threads in a loop.
 */
export class ThreadedReader implements SqliteReader {
  readonly #threads: Array<RequestThread | undefined>;
  #closed = false;

  constructor(
    private readonly filename: string,
    threads = DEFAULT_READER_THREADS,
  ) {
    this.#threads = Array.from({ length: Math.max(1, threads) }, () => undefined);
    for (let at = 0; at < this.#threads.length; at += 1) this.#start(at);
  }

  #start(at: number): RequestThread {
    const thread = startReadModelThread(READER_MODULE, this.filename, (gone) => {
      if (this.#threads[at] === gone) this.#threads[at] = undefined;
    });
    this.#threads[at] = thread;
    return thread;
  }

  async ready(): Promise<void> {
    await Promise.all(this.#threads.map((_, at) => (this.#threads[at] ?? this.#start(at)).ready));
  }

  read(statements: SqlStatement[]): Promise<unknown[][]> {
    if (this.#closed) return Promise.reject(new ReadModelUnavailable(new Error("the read model is closed")));
    let chosen: RequestThread | undefined;
    for (let at = 0; at < this.#threads.length; at += 1) {
      const thread = this.#threads[at] ?? this.#start(at);
      if (!chosen || thread.pending.size < chosen.pending.size) chosen = thread;
    }
    return chosen!.send(statements) as Promise<unknown[][]>;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.map((thread) => thread?.terminate()));
  }
}
