/**
 * Where the SQLite read model writes: a thread of its own (sqliteWriterWorker.ts) with its own
 * connection, so that the projector's batches (each document's row, its indexes, its
 * trigrams) are written beside the event loop rather than on it. One thread, one request at a
 * time, in order: batches are committed in the order they were sent. A database in memory
 * cannot be shared with a thread: its writes run on the read model's own connection.
 */
import type Database from "better-sqlite3";
import { ReadModelUnavailable } from "./port.js";
import { BatchWriter, type BatchWritten, type WrittenBatch } from "./sqliteTables.js";
import { RestartingThread } from "../threads/requestThread.js";
import { readModelWorker, startReadModelThread } from "./sqliteThread.js";

export type WriterRequest = { kind: "write"; batch: WrittenBatch } | { kind: "reset" };

export interface SqliteWriter {
  /** Commits the batch (or throws ReadModelRevisionGap, and nothing of it is written). */
  write(batch: WrittenBatch): Promise<BatchWritten>;
  /** Empties the collections and forgets the position. */
  reset(): Promise<void>;
  /** Settles once writes are taken without waiting for a thread to start. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export class InlineWriter implements SqliteWriter {
  readonly #writer: BatchWriter;

  constructor(db: Database.Database) {
    this.#writer = new BatchWriter(db);
  }

  async ready(): Promise<void> {}

  async write(batch: WrittenBatch): Promise<BatchWritten> {
    return this.#writer.write(batch);
  }

  async reset(): Promise<void> {
    this.#writer.reset();
  }

  async close(): Promise<void> {}
}

const WRITER_MODULE = readModelWorker("sqliteWriterWorker");

/** The writer thread; one that stops fails its requests as unavailable and is started again at the next. */
export class ThreadedWriter implements SqliteWriter {
  readonly #thread: RestartingThread;

  constructor(filename: string) {
    this.#thread = new RestartingThread(
      (onGone) => startReadModelThread(WRITER_MODULE, filename, onGone),
      () => new ReadModelUnavailable(new Error("the read model is closed")),
    );
  }

  #send(request: WriterRequest): Promise<unknown> {
    return this.#thread.send(request);
  }

  ready(): Promise<void> {
    return this.#thread.ready();
  }

  async write(batch: WrittenBatch): Promise<BatchWritten> {
    return (await this.#send({ kind: "write", batch })) as BatchWritten;
  }

  async reset(): Promise<void> {
    await this.#send({ kind: "reset" });
  }

  close(): Promise<void> {
    return this.#thread.close();
  }
}
