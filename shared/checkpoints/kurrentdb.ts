/**
 * A durable checkpoint kept in KurrentDB: each save appends `PublisherCheckpointed` to the
 * stream `customers_checkpoint-<name>`, whose metadata keeps only the last few (older ones
 * are scavenged); load reads the last one. The event store adapter leaves these streams out
 * of the log it reads (INTERNAL_STREAM_PREFIX), so they are never published.
 *
 * A checkpoint only moves forward: each save expects the revision it last saw, and when
 * another publisher of the same name has saved meanwhile, a position at or behind the stored
 * one is not written (a lagging second publisher cannot move the checkpoint back).
 */
import { BACKWARDS, END, type KurrentDBClient, jsonEvent } from "@kurrent/kurrentdb-client";
import { INTERNAL_STREAM_PREFIX, comparePositions, decodePosition, defaultDeadlineOf } from "../eventstore/kurrentdb.js";
import { KurrentDbConnection, type KurrentDbConnectionSource } from "../eventstore/kurrentdbConnection.js";
import { asCommandError, toAppendError, toStoreError } from "../eventstore/kurrentdbErrors.js";
import { EventStoreUnavailable, type GlobalPosition, WrongExpectedRevision } from "../eventstore/port.js";
import { withReadDeadline } from "../eventstore/readDeadline.js";
import type { CheckpointStore } from "./port.js";

export const CHECKPOINT_STREAM_PREFIX = INTERNAL_STREAM_PREFIX;
export const CHECKPOINT_EVENT_TYPE = "PublisherCheckpointed";
/** Checkpoints kept before scavenging; only the last is ever read. */
const KEPT_CHECKPOINTS = 5;

interface Stored {
  position: GlobalPosition;
  revision: bigint;
}

export class KurrentDbCheckpointStore implements CheckpointStore {
  readonly #connection: KurrentDbConnection;
  readonly #stream: string;
  readonly #readDeadlineMs: number;
  #retentionSet: Promise<unknown> | undefined;
  /** The checkpoint as last read or written; undefined before the first load. */
  #last: Stored | null | undefined;

  /** Takes a connection string, a client owned by the caller, or a way to make clients. */
  constructor(connection: KurrentDbConnectionSource, name: string, options: { readDeadlineMs?: number } = {}) {
    this.#connection = new KurrentDbConnection(connection);
    this.#stream = `${CHECKPOINT_STREAM_PREFIX}${name}`;
    this.#readDeadlineMs = options.readDeadlineMs ?? (typeof connection === "string" ? defaultDeadlineOf(connection) : 10_000);
  }

  async load(): Promise<GlobalPosition | undefined> {
    this.#last = await this.#connection.run("read", (client) => this.#read(client));
    return this.#last?.position;
  }

  async #read(client: KurrentDBClient): Promise<Stored | null> {
    try {
      const read = client.readStream(this.#stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
      for await (const { event } of withReadDeadline(read, this.#readDeadlineMs, `a read of ${this.#stream}`)) {
        const position = (event?.data as { position?: unknown } | undefined)?.position;
        if (event && typeof position === "string") return { position, revision: event.revision };
      }
      return null;
    } catch (error) {
      const converted = asCommandError(error);
      if (converted?.type === "stream-not-found") return null;
      throw toStoreError(error, this.#stream);
    }
  }

  async save(position: GlobalPosition): Promise<void> {
    await this.#connection.run("append", async (client) => {
      await this.#setRetentionOnce(client);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const last = this.#last === undefined ? await this.#read(client) : this.#last;
        if (last && !isAhead(position, last.position)) {
          this.#last = last;
          return;
        }
        try {
          const streamState = last ? last.revision : ("no_stream" as const);
          const result = await client.appendToStream(this.#stream, jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: { position } }), { streamState });
          this.#last = { position, revision: result.nextExpectedRevision };
          return;
        } catch (error) {
          const converted = toAppendError(error, this.#stream, "any");
          if (!(converted instanceof WrongExpectedRevision)) throw converted;
          // Another publisher saved meanwhile: read what it saved and decide again.
          this.#last = undefined;
        }
      }
      throw new EventStoreUnavailable(`The checkpoint ${this.#stream} kept being written by another publisher`);
    });
  }

  #setRetentionOnce(client: KurrentDBClient): Promise<unknown> {
    this.#retentionSet ??= client.setStreamMetadata(this.#stream, { maxCount: KEPT_CHECKPOINTS }).catch((error: unknown) => {
      this.#retentionSet = undefined;
      throw toStoreError(error, this.#stream);
    });
    return this.#retentionSet;
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }
}

/** Whether `position` is past `stored` in the log; a position of another form always counts as ahead. */
function isAhead(position: GlobalPosition, stored: GlobalPosition): boolean {
  try {
    return comparePositions(decodePosition(position), decodePosition(stored)) > 0;
  } catch {
    return true;
  }
}
