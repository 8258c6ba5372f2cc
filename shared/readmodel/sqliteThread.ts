/**
 * A thread with its own connection to the SQLite read model's file, answering requests one at
 * a time in order: the reader threads (sqliteReaderWorker.ts) and the writer thread
 * (sqliteWriterWorker.ts) are both run with this. Errors come back as the errors the read
 * model's callers know (an invalid pattern, a revision gap); a thread that stops fails what it
 * had not answered as unavailable.
 */
import { type MessagePort, Worker } from "node:worker_threads";
import { InvalidPattern } from "./pattern.js";
import { ReadModelRevisionGap, ReadModelUnavailable } from "./port.js";

interface ThreadRequest {
  id: number;
  body: unknown;
}

type ThreadReply = { id: number; result: unknown } | { id: number; error: { name: string; message: string; details?: unknown } };

/** A worker module beside this one: .js once built, .ts when the tests run the sources. */
export function workerModule(name: string): URL {
  return new URL(`./${name}${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);
}

/** In a worker: answers each request with `handle`'s result, or with the error it threw. */
export function serveRequests(port: MessagePort, handle: (body: never) => unknown): void {
  port.on("message", (request: ThreadRequest) => {
    let reply: ThreadReply;
    try {
      reply = { id: request.id, result: handle(request.body as never) };
    } catch (error) {
      const { name, message } = error as Error;
      const details = error instanceof ReadModelRevisionGap ? { id: error.id, stored: error.stored, incoming: error.incoming } : undefined;
      reply = { id: request.id, error: { name, message, details } };
    }
    port.postMessage(reply);
  });
}

function fromReply({ name, message, details }: { name: string; message: string; details?: unknown }): Error {
  if (name === "InvalidPattern") return new InvalidPattern(message);
  if (name === "ReadModelRevisionGap") {
    const gap = details as { id: string; stored: number | null; incoming: number };
    return new ReadModelRevisionGap(gap.id, gap.stored, gap.incoming);
  }
  return Object.assign(new Error(message), { name });
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class SqliteThread {
  readonly pending = new Map<number, Pending>();
  readonly #worker: Worker;
  #nextId = 0;
  #closing = false;

  constructor(module: URL, filename: string, onGone: (thread: SqliteThread) => void) {
    this.#worker = new Worker(module, { workerData: { filename } });
    // Only requests in flight keep the process alive, not an idle thread.
    this.#worker.unref();
    this.#worker.on("message", (reply: ThreadReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.#worker.unref();
      if ("result" in reply) waiting.resolve(reply.result);
      else waiting.reject(fromReply(reply.error));
    });
    const gone = (cause: unknown) => {
      if (this.#closing) return;
      this.#closing = true;
      const error = new ReadModelUnavailable(new Error(`a read-model thread stopped (${cause instanceof Error ? cause.message : String(cause)})`));
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
      onGone(this);
    };
    this.#worker.on("error", gone);
    this.#worker.on("exit", (code) => gone(`exit code ${code}`));
  }

  send(body: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#nextId += 1;
      this.pending.set(this.#nextId, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ id: this.#nextId, body } satisfies ThreadRequest);
    });
  }

  async terminate(): Promise<void> {
    this.#closing = true;
    for (const waiting of this.pending.values()) waiting.reject(new ReadModelUnavailable(new Error("the read model is closed")));
    this.pending.clear();
    await this.#worker.terminate();
  }
}
