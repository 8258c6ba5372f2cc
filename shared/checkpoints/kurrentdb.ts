/**
 * A durable checkpoint kept in KurrentDB: each save appends `PublisherCheckpointed` to the
 * stream `customers_checkpoint-<name>`, whose metadata keeps only the last few (older ones
 * are scavenged); load reads the last one. The stream name starts with neither "customer-"
 * nor "$", so the publisher's own filter never picks these events up.
 */
import { ANY, BACKWARDS, END, KurrentDBClient, StreamNotFoundError, jsonEvent } from "@kurrent/kurrentdb-client";
import type { GlobalPosition } from "../eventstore/port.js";
import type { CheckpointStore } from "./port.js";

export const CHECKPOINT_STREAM_PREFIX = "customers_checkpoint-";
export const CHECKPOINT_EVENT_TYPE = "PublisherCheckpointed";
/** Checkpoints kept before scavenging; only the last is ever read. */
const KEPT_CHECKPOINTS = 5;

export class KurrentDbCheckpointStore implements CheckpointStore {
  readonly #client: KurrentDBClient;
  readonly #ownsClient: boolean;
  readonly #stream: string;
  #retentionSet: Promise<unknown> | undefined;

  /** Takes a connection string or a client owned by the caller. */
  constructor(connection: string | KurrentDBClient, name: string) {
    this.#ownsClient = typeof connection === "string";
    this.#client = typeof connection === "string" ? KurrentDBClient.connectionString(connection) : connection;
    this.#stream = `${CHECKPOINT_STREAM_PREFIX}${name}`;
  }

  async load(): Promise<GlobalPosition | undefined> {
    try {
      for await (const { event } of this.#client.readStream(this.#stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        const position = (event?.data as { position?: unknown } | undefined)?.position;
        if (typeof position === "string") return position;
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return undefined;
  }

  async save(position: GlobalPosition): Promise<void> {
    await this.#setRetentionOnce();
    await this.#client.appendToStream(this.#stream, jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: { position } }), { streamState: ANY });
  }

  #setRetentionOnce(): Promise<unknown> {
    this.#retentionSet ??= this.#client.setStreamMetadata(this.#stream, { maxCount: KEPT_CHECKPOINTS }).catch((error: unknown) => {
      this.#retentionSet = undefined;
      throw error;
    });
    return this.#retentionSet;
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.dispose();
  }
}
