/**
 * A worker thread that answers requests one at a time, in the order sent: the read model's
 * reader and writer threads and the event store's writer thread are each one of these, with
 * their own connection to their SQLite file. What a thread's errors become on this side, and
 * the error for requests it leaves unanswered when it stops, are the caller's: each store
 * speaks its own port's errors.
 */
import { type MessagePort, Worker } from "node:worker_threads";

interface ThreadRequest {
  id: number;
  body: unknown;
}

/** An error as it crosses from a thread: its name and message, and what else the caller needs. */
export interface ThreadError {
  name: string;
  message: string;
  details?: unknown;
}

type ThreadReply = { id: number; result: unknown } | { id: number; error: ThreadError };

/** What a worker says once its module has loaded and it takes requests. */
const READY = "ready";

/**
 * A worker module beside `beside` (a module's import.meta.url): .js once built, .ts when the
 * tests run the sources.
 */
export function workerModule(beside: string, name: string): URL {
  return new URL(`./${name}${beside.endsWith(".ts") ? ".ts" : ".js"}`, beside);
}

/** In a worker: answers each request with `handle`'s result, or with the error it threw. */
export function serveRequests(port: MessagePort, handle: (body: never) => unknown, details: (error: Error) => unknown = () => undefined): void {
  port.on("message", (request: ThreadRequest) => {
    let reply: ThreadReply;
    try {
      reply = { id: request.id, result: handle(request.body as never) };
    } catch (error) {
      const { name, message } = error as Error;
      reply = { id: request.id, error: { name, message, details: details(error as Error) } };
    }
    port.postMessage(reply);
  });
  port.postMessage(READY);
}

export interface RequestThreadOptions {
  /** What the thread is given at start (its file's name). */
  workerData: unknown;
  /** The caller's error for a reply's error. */
  fromReply: (error: ThreadError) => Error;
  /** The error for requests left unanswered: the thread stopped (`cause`), or was closed. */
  unavailable: (cause: string) => Error;
  /** Called once when the thread stops on its own, so the owner can start another. */
  onGone: (thread: RequestThread) => void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class RequestThread {
  readonly pending = new Map<number, Pending>();
  /**
   * Settles once the thread takes requests. Loading a worker's modules can take seconds on a
   * busy machine; owners wait for this before they say they are ready, so that the first
   * request does not pay for it. Rejects if the thread stops first.
   */
  readonly ready: Promise<void>;
  readonly #started: { resolve(): void; reject(error: Error): void };
  readonly #worker: Worker;
  readonly #options: RequestThreadOptions;
  #nextId = 0;
  #closing = false;

  constructor(module: URL, options: RequestThreadOptions) {
    this.#options = options;
    this.#worker = new Worker(module, { workerData: options.workerData });
    // Only requests in flight keep the process alive, not an idle thread.
    this.#worker.unref();
    let started!: { resolve(): void; reject(error: Error): void };
    this.ready = new Promise<void>((resolve, reject) => (started = { resolve, reject }));
    this.#started = started;
    // Nobody may be waiting for it: a thread that stops is told to its requests too.
    this.ready.catch(() => undefined);
    this.#worker.on("message", (reply: ThreadReply | typeof READY) => {
      if (reply === READY) return started.resolve();
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.#worker.unref();
      if ("result" in reply) waiting.resolve(reply.result);
      else waiting.reject(options.fromReply(reply.error));
    });
    const gone = (cause: unknown) => {
      if (this.#closing) return;
      this.#closing = true;
      const error = options.unavailable(cause instanceof Error ? cause.message : String(cause));
      started.reject(error);
      this.#failPending(error);
      options.onGone(this);
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
    this.#started.reject(this.#options.unavailable("closed"));
    this.#failPending(this.#options.unavailable("closed"));
    await this.#worker.terminate();
  }

  #failPending(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/**
 * One request thread that is started again at the next request after it stopped on its own
 * (its requests in flight failed as unavailable), until close(). `start` makes a thread that
 * calls the `onGone` it is given when it stops.
 */
export class RestartingThread {
  #thread: RequestThread | undefined;
  #closed = false;

  constructor(
    private readonly start: (onGone: (thread: RequestThread) => void) => RequestThread,
    /** The error for a request after close(). */
    private readonly closedError: () => Error,
  ) {
    this.#thread = this.#start();
  }

  #start(): RequestThread {
    return this.start((gone) => {
      if (this.#thread === gone) this.#thread = undefined;
    });
  }

  /** Settles once the thread takes requests (see RequestThread.ready). */
  ready(): Promise<void> {
    if (this.#closed) return Promise.reject(this.closedError());
    this.#thread ??= this.#start();
    return this.#thread.ready;
  }

  send(body: unknown): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.closedError());
    this.#thread ??= this.#start();
    return this.#thread.send(body);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#thread?.terminate();
  }
}
