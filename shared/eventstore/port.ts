/**
 * The event store port: the source of truth. Every adapter (embedded SQLite, KurrentDB)
 * passes the same contract suite (test/contract/eventStore.contract.ts).
 */
import { Failure, Unavailable } from "../errors.js";

/** What a writer expects the stream to be before its append; anything else is a conflict. */
export type ExpectedRevision = "no_stream" | "stream_exists" | "any" | number;

export interface EventMetadata {
  event_id: string;
  schema_version: number;
  occurred_at: string;
  correlation_id: string;
  causation_id: string;
  actor: { id: string; type: string };
}

export interface EventToAppend {
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

/**
 * A position in the store's global log. Opaque outside the adapter that made it (SQLite
 * uses a row number, KurrentDB a commit/prepare pair); stored by checkpoints as a string.
 */
export type GlobalPosition = string;

export interface RecordedEvent {
  stream: string;
  /** 0 for the first event of a stream. */
  revision: number;
  position: GlobalPosition;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: string;
}

export interface AppendResult {
  /** Revision of the last event written. */
  revision: number;
  position: GlobalPosition;
}

/** One stream's part of a write across several streams (EventStore.appendToStreams). */
export interface StreamAppend {
  stream: string;
  events: EventToAppend[];
  expectedRevision: ExpectedRevision;
}

export interface ReadAllOptions {
  /** Start strictly after this position; from the beginning when absent. */
  after?: GlobalPosition;
  /** Only streams whose name starts with one of these. */
  streamPrefixes?: string[];
  maxCount: number;
}

export interface ReadStreamOptions {
  /** Start at this revision (inclusive); 0 when absent. */
  fromRevision?: number;
  /** At most this many events; all of them when absent. */
  maxCount?: number;
}

/** Committed events the store cannot hand out yet. */
export interface HeldBack {
  /** What holds them back, for an operator: which transaction, since when. */
  reason: string;
}

export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /**
   * One write across several streams (each named once): every expected revision holds and
   * every event is written, or nothing is. A stream not at its expected revision rejects the
   * whole write with WrongExpectedRevision naming that stream. Answers each stream's result,
   * in the order given. A store that cannot write several streams atomically (a KurrentDB
   * server older than 25.1) rejects with MultiStreamAppendUnsupported and writes nothing.
   */
  appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]>;
  /**
   * The stream's events in order, from `fromRevision` on (the whole stream by default); an
   * empty array when it does not exist or has nothing there.
   */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The revision of the stream's last event: -1 when it does not exist. Reads one event at most. */
  streamRevision(stream: string): Promise<number>;
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Every event after `after`, then new ones as they are appended, until closed. */
  subscribeToAll(options: { after?: GlobalPosition; streamPrefixes?: string[] }): Subscription;
  /** Position of the newest event (matching the prefixes), or undefined when there is none. */
  headPosition(options?: { streamPrefixes?: string[] }): Promise<GlobalPosition | undefined>;
  /**
   * Whether events after `after` are committed but cannot be read yet, and why (a store that
   * reads its log below its oldest running append, PostgreSQL). Undefined when nothing
   * is held back, or the store never holds events back.
   */
  heldBack?(options: { after?: GlobalPosition; streamPrefixes?: string[] }): Promise<HeldBack | undefined>;
  close(): Promise<void>;
}

export class WrongExpectedRevision extends Error {
  override readonly name = "WrongExpectedRevision";
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | "no_stream",
  ) {
    super(`Append to ${stream} expected ${String(expected)} but the stream is at ${String(actual)}`);
  }
}

/** The store cannot be reached or failed; the caller may retry later. */
export class EventStoreUnavailable extends Unavailable {
  override readonly name = "EventStoreUnavailable";
  readonly publicMessage = "The event store is unavailable. The request changed nothing; retry it later.";
}

/**
 * The store cannot write several streams in one atomic write; the caller writes them one at a
 * time instead, in an order that stays safe if it stops part-way.
 */
export class MultiStreamAppendUnsupported extends Error {
  override readonly name = "MultiStreamAppendUnsupported";
}

/** The stream was deleted from the store for good (a KurrentDB tombstone): it can never be written again. */
export class StreamDeleted extends Failure {
  override readonly name = "StreamDeleted";
  readonly kind = "not_found";
  constructor(readonly stream: string) {
    super(`The stream ${stream} was deleted from the event store for good and cannot be written again`);
  }
}

/** An append larger than the store takes at once (KurrentDB: 1 MiB by default). */
export class EventTooLarge extends Failure {
  override readonly name = "EventTooLarge";
  readonly kind = "invalid";
  constructor(readonly stream: string) {
    super(`Invalid request: the change is larger than the event store accepts in one write`);
  }
}

/**
 * The store refuses this service as it is configured (credentials, TLS, a server too old for
 * the client): retrying will not help. The message says what to check; requests answer 500.
 */
export class EventStoreMisconfigured extends Error {
  override readonly name = "EventStoreMisconfigured";
}
