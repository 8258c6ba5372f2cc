/**
 * Where the SQLite read model runs its lists, counts and distinct values: on reader threads
 * (sqliteReaderWorker.ts), each with its own connection to the file, so that a list that
 * scans many documents (a search, a pattern) never holds up the event loop that answers
 * every other request. Lookups by id and the projector's writes stay on the main connection:
 * they read or write a few rows through the primary key, faster than a message to a thread.
 *
 * A read model in memory (":memory:") cannot be shared with a thread: its reader runs the
 * statements on the main connection.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import { InvalidPattern } from "./pattern.js";
import { ReadModelUnavailable } from "./port.js";
import type { SqlValue } from "./sqliteQuery.js";

export interface SqlStatement {
  sql: string;
  params: SqlValue[];
}

export interface SqliteReader {
  /** The rows of each statement, all read in one transaction (one snapshot). */
  read(statements: SqlStatement[]): Promise<unknown[][]>;
  close(): Promise<void>;
}

export interface ReaderRequest {
  id: number;
  statements: SqlStatement[];
}

export type ReaderReply = { id: number; results: unknown[][] } | { id: number; error: { name: string; message: string } };

/**
 * Threads that leave a core to the event loop on a small machine, and no more than four:
 * a list page reads little once indexed, so more threads would mostly wait on one another.
 */
export const DEFAULT_READER_THREADS = Math.max(1, Math.min(4, availableParallelism() - 1));

/** The statements on the caller's own connection, for a read model that no thread can open. */
export class InlineReader implements SqliteReader {
  constructor(private readonly db: Database.Database) {}

  async read(statements: SqlStatement[]): Promise<unknown[][]> {
    return this.db.transaction(() => statements.map(({ sql, params }) => this.db.prepare(sql).all(...params))).deferred();
  }

  async close(): Promise<void> {}
}

// The worker's module beside this one: .js once built, .ts when the tests run the sources.
const WORKER_MODULE = new URL(`./sqliteReaderWorker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

interface Pending {
  resolve(results: unknown[][]): void;
  reject(error: Error): void;
}

/** One reader thread and the requests it has not answered yet. */
class ReaderThread {
  readonly pending = new Map<number, Pending>();
  readonly #worker: Worker;
  #closing = false;

  constructor(filename: string, onGone: (thread: ReaderThread) => void) {
    this.#worker = new Worker(WORKER_MODULE, { workerData: { filename } });
    // Only requests in flight keep the process alive, not an idle thread.
    this.#worker.unref();
    this.#worker.on("message", (reply: ReaderReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.#worker.unref();
      if ("results" in reply) waiting.resolve(reply.results);
      else waiting.reject(reply.error.name === "InvalidPattern" ? new InvalidPattern(reply.error.message) : Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    const gone = (cause: unknown) => {
      if (this.#closing) return;
      this.#closing = true;
      const error = new ReadModelUnavailable(new Error(`a reader thread stopped (${cause instanceof Error ? cause.message : String(cause)})`));
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
      onGone(this);
    };
    this.#worker.on("error", gone);
    this.#worker.on("exit", (code) => gone(`exit code ${code}`));
  }

  send(request: ReaderRequest): Promise<unknown[][]> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage(request);
    });
  }

  async terminate(): Promise<void> {
    this.#closing = true;
    for (const waiting of this.pending.values()) waiting.reject(new ReadModelUnavailable(new Error("the read model is closed")));
    this.pending.clear();
    await this.#worker.terminate();
  }
}

/**
 * Requests go to the thread with the fewest in flight. A thread that stops (it could not open
 * the file, or failed) fails its requests as unavailable, and is started again at the next
 * request rather than at once, so a file that cannot be opened does not start threads in a loop.
 */
export class ThreadedReader implements SqliteReader {
  readonly #threads: Array<ReaderThread | undefined>;
  #nextId = 0;
  #closed = false;

  constructor(
    private readonly filename: string,
    threads = DEFAULT_READER_THREADS,
  ) {
    this.#threads = Array.from({ length: Math.max(1, threads) }, () => undefined);
    for (let at = 0; at < this.#threads.length; at += 1) this.#start(at);
  }

  #start(at: number): ReaderThread {
    const thread = new ReaderThread(this.filename, (gone) => {
      if (this.#threads[at] === gone) this.#threads[at] = undefined;
    });
    this.#threads[at] = thread;
    return thread;
  }

  read(statements: SqlStatement[]): Promise<unknown[][]> {
    if (this.#closed) return Promise.reject(new ReadModelUnavailable(new Error("the read model is closed")));
    let chosen: ReaderThread | undefined;
    for (let at = 0; at < this.#threads.length; at += 1) {
      const thread = this.#threads[at] ?? this.#start(at);
      if (!chosen || thread.pending.size < chosen.pending.size) chosen = thread;
    }
    this.#nextId += 1;
    return chosen!.send({ id: this.#nextId, statements });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#threads.map((thread) => thread?.terminate()));
  }
}
