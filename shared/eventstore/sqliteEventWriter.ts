/**
 * Where the embedded store commits its batches of appends (sqliteAppender.ts): on its own
 * connection, or on a thread of its own with its own connection (sqliteEventWriterWorker.ts),
 * so that the event loop goes on serving requests while a commit waits for the disk. Either
 * way the caller hears of a write only once it is on disk. One thread, one batch at a time,
 * in order.
 */
import type Database from "better-sqlite3";
import { RequestThread, RestartingThread, workerModule } from "../threads/requestThread.js";
import { type PendingPart, SqliteAppender, type WriteOutcome } from "./sqliteAppender.js";
import { EventStoreUnavailable } from "./port.js";

export interface EventWriter {
  /** Commits the batch; rejects with EventStoreUnavailable when nothing of it could be written. */
  commit(writes: PendingPart[][], recordedAt: string): Promise<WriteOutcome[]>;
  close(): Promise<void>;
}

export interface CommitRequest {
  writes: PendingPart[][];
  recordedAt: string;
}

export class InlineEventWriter implements EventWriter {
  readonly #appender: SqliteAppender;

  constructor(db: Database.Database) {
    this.#appender = new SqliteAppender(db);
  }

  async commit(writes: PendingPart[][], recordedAt: string): Promise<WriteOutcome[]> {
    try {
      return this.#appender.commit(writes, recordedAt);
    } catch (error) {
      throw couldNotWrite((error as Error).message);
    }
  }

  async close(): Promise<void> {}
}

const WRITER_MODULE = workerModule(import.meta.url, "sqliteEventWriterWorker");

/** The writer thread; one that stops fails its batch as unavailable and is started again at the next. */
export class ThreadedEventWriter implements EventWriter {
  readonly #thread: RestartingThread;

  constructor(filename: string) {
    const closed = () => new EventStoreUnavailable("The event store is closed");
    this.#thread = new RestartingThread(
      (onGone) =>
        new RequestThread(WRITER_MODULE, {
          workerData: { filename },
          fromReply: (error) => couldNotWrite(error.message),
          unavailable: (cause) => (cause === "closed" ? closed() : new EventStoreUnavailable(`The event store's writer thread stopped (${cause})`)),
          onGone,
        }),
      closed,
    );
  }

  async commit(writes: PendingPart[][], recordedAt: string): Promise<WriteOutcome[]> {
    return (await this.#thread.send({ writes, recordedAt } satisfies CommitRequest)) as WriteOutcome[];
  }

  close(): Promise<void> {
    return this.#thread.close();
  }
}

function couldNotWrite(reason: string): EventStoreUnavailable {
  return new EventStoreUnavailable(`The event store could not write: ${reason}`);
}
