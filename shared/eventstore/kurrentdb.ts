/**
 * Cluster event store: KurrentDB over its gRPC client.
 *
 * Global positions are KurrentDB's {commit, prepare} pairs written as "<commit>/<prepare>".
 * The server reads $all from a position inclusively and subscribes to it exclusively; the
 * port wants "strictly after" for both, so every event at or before `after` is dropped here.
 * System streams and events (names starting with "$") are never returned.
 */
import {
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type Direction,
  type Filter,
  type JSONEventType,
  type JSONType,
  type Position,
  type RecordedEvent as KurrentRecordedEvent,
  ANY,
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnsupportedError,
  WrongExpectedVersionError,
  jsonEvent,
  streamNameFilter,
} from "@kurrent/kurrentdb-client";
import { serialiseEvent } from "./eventJson.js";
import { type KurrentDbConnectionSource, KurrentDbConnection } from "./kurrentdbConnection.js";
import { asCommandError, toActualRevision, toAppendError, toStoreError } from "./kurrentdbErrors.js";
import { fromStoredMetadata, toMetadataProperties } from "./kurrentdbMetadata.js";
import {
  type AppendResult,
  type EventMetadata,
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
  MultiStreamAppendUnsupported,
  StreamDeleted,
  WrongExpectedRevision,
} from "./port.js";
import { withReadDeadline } from "./readDeadline.js";

export { toActualRevision, toAppendError, toStoreError } from "./kurrentdbErrors.js";

/**
 * Streams this service keeps for itself in KurrentDB (the publisher's checkpoints): never
 * part of the log it reads or publishes.
 */
export const INTERNAL_STREAM_PREFIX = "customers_checkpoint-";
/** Neither system streams nor this service's own, for reads without prefixes (a .NET regex). */
const NOT_SYSTEM_STREAM = `^(?!\\$|${INTERNAL_STREAM_PREFIX})`;
/** Wanted events are almost always the newest, so a small page finds the head. */
const HEAD_PAGE = 16;
const ORIGIN: Position = { commit: 0n, prepare: 0n };

export interface KurrentDbEventStoreOptions {
  /**
   * The longest a read waits for the server's next answer before it fails as unavailable.
   * By default the connection string's defaultDeadline, else 10 s.
   */
  readDeadlineMs?: number;
}

export class KurrentDbEventStore implements EventStore {
  readonly #connection: KurrentDbConnection;
  readonly #readDeadlineMs: number;
  readonly #subscriptions = new Set<Subscription>();
  #closed = false;

  /** Takes a connection string (e.g. kurrentdb://127.0.0.1:2113?tls=false), a client owned by the caller, or a way to make clients. */
  constructor(connection: KurrentDbConnectionSource, options: KurrentDbEventStoreOptions = {}) {
    this.#connection = new KurrentDbConnection(connection);
    this.#readDeadlineMs = options.readDeadlineMs ?? (typeof connection === "string" ? defaultDeadlineOf(connection) : DEFAULT_DEADLINE_MS);
  }

  /** How many times a stuck client was replaced (kurrentdbConnection.ts). */
  get clientReplacements(): number {
    return this.#connection.replacements;
  }

  async appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.#checkOpen();
    const { expectedRevision } = options;
    // Made and checked before the client sees them (eventJson.ts).
    const data = events.map((event) => toEventData(stream, event));
    return this.#connection.run("append", async (client) => {
      try {
        if (events.length === 0) return await this.#checkWithoutWriting(stream, expectedRevision);
        const result = await client.appendToStream(stream, data, { streamState: toStreamState(expectedRevision) });
        // Only when the connection string sets throwOnAppendFailure=false, and then the
        // client's revision is wrong (it reports a flag as the revision): ask the stream.
        if (!result.success) throw new WrongExpectedRevision(stream, expectedRevision, await this.#actualRevision(stream));
        const position = result.position ?? (await this.#lastEvent(stream))?.position ?? ORIGIN;
        return { revision: Number(result.nextExpectedRevision), position: encodePosition(position) };
      } catch (error) {
        throw toAppendError(error, stream, expectedRevision);
      }
    });
  }

  /**
   * Several streams in one write with multiStreamAppend (KurrentDB 25.1 and later; older
   * servers answer MultiStreamAppendUnsupported before anything is sent). Its metadata goes
   * as string properties (kurrentdbMetadata.ts). One stream alone is an ordinary append.
   */
  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    this.#checkOpen();
    assertWritableTogether(appends);
    if (appends.length === 0) return [];
    if (appends.length === 1) {
      const [only] = appends;
      return [await this.appendToStream(only!.stream, only!.events, { expectedRevision: only!.expectedRevision })];
    }
    // Made and checked before the client sees them (eventJson.ts).
    const requests = appends.map(({ stream, events, expectedRevision }) => ({
      streamName: stream,
      expectedState: toStreamState(expectedRevision),
      events: events.map((event) => toEventData(stream, event, "properties")),
    }));
    return this.#connection.run("append", async (client) => {
      try {
        const result = await client.multiStreamAppend(requests);
        const revisions = new Map(result.responses.map((response) => [response.streamName, Number(response.revision)]));
        const position = encodePosition({ commit: result.position, prepare: result.position });
        return appends.map(({ stream }) => ({ revision: revisions.get(stream)!, position }));
      } catch (error) {
        throw toMultiStreamAppendError(error, appends);
      }
    });
  }

  #checkOpen(): void {
    if (this.#closed) throw new EventStoreUnavailable("The event store is closed");
  }

  /** An empty append writes nothing (KurrentDB has no such write); it only checks the expected revision. */
  async #checkWithoutWriting(stream: string, expected: ExpectedRevision): Promise<AppendResult> {
    const last = await this.#lastEvent(stream);
    const actual = last ? Number(last.revision) : "no_stream";
    if (!revisionMatches(expected, actual)) throw new WrongExpectedRevision(stream, expected, actual);
    const position = last?.position ? encodePosition(last.position) : ((await this.headPosition()) ?? encodePosition(ORIGIN));
    return { revision: last ? Number(last.revision) : -1, position };
  }

  async #actualRevision(stream: string): Promise<number | "no_stream"> {
    const last = await this.#lastEvent(stream);
    return last ? Number(last.revision) : "no_stream";
  }

  async #lastEvent(stream: string): Promise<KurrentRecordedEvent | undefined> {
    const read = this.#connection.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    try {
      for await (const { event } of withReadDeadline(read, this.#readDeadlineMs, `a read of ${stream}`)) return event;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    return undefined;
  }

  async readStream(stream: string, { fromRevision = 0, maxCount }: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.#checkOpen();
    const events: RecordedEvent[] = [];
    if (maxCount === 0) return events;
    const range = { fromRevision: fromRevision === 0 ? (START as typeof START) : BigInt(fromRevision), ...(maxCount === undefined ? {} : { maxCount }) };
    return this.#connection.run("read", async (client) => {
      try {
        for await (const { event } of withReadDeadline(client.readStream(stream, range), this.#readDeadlineMs, `a read of ${stream}`)) {
          if (event) events.push(toRecordedEvent(event));
        }
      } catch (error) {
        // The port's answer for a stream that is not there, deleted ones included (a write to one fails).
        if (isMissing(error)) return [];
        throw toStoreError(error, stream);
      }
      return events;
    });
  }

  async streamRevision(stream: string): Promise<number> {
    this.#checkOpen();
    return this.#connection.run("read", async () => {
      try {
        const last = await this.#lastEvent(stream);
        return last ? Number(last.revision) : -1;
      } catch (error) {
        throw toStoreError(error, stream);
      }
    });
  }

  async readAll({ after, streamPrefixes = [], maxCount }: ReadAllOptions): Promise<RecordedEvent[]> {
    this.#checkOpen();
    const events: RecordedEvent[] = [];
    if (maxCount <= 0) return events;
    return this.#connection.run("read", async () => {
      try {
        // One more than wanted: the first event read may be the one at `after` itself.
        for await (const event of this.#scan(FORWARDS, decodeAfter(after), streamPrefixes, maxCount + 1)) {
          events.push(event);
          if (events.length === maxCount) break;
        }
      } catch (error) {
        throw toStoreError(error);
      }
      return events;
    });
  }

  /**
   * Wanted events strictly beyond `from` in `direction`, a page at a time. A full page may
   * still leave wanted events behind it (the server filters by stream name only), so the next
   * page starts at the last event seen, which is read again and dropped.
   */
  async *#scan(direction: Direction, from: Position | undefined, prefixes: string[], pageSize: number): AsyncGenerator<RecordedEvent> {
    const filter = streamFilter(prefixes);
    const size = Math.max(pageSize, 2);
    let cursor = from;
    for (;;) {
      const fromPosition = cursor ?? (direction === FORWARDS ? START : END);
      let received = 0;
      const page = this.#connection.client.readAll({ direction, fromPosition, filter, maxCount: size });
      for await (const { event } of withReadDeadline(page, this.#readDeadlineMs, "a read of $all")) {
        received += 1;
        if (!event || (cursor && !isBeyond(event.position, cursor, direction))) continue;
        cursor = event.position;
        if (isWanted(event, prefixes)) yield toRecordedEvent(event);
      }
      if (received < size) return;
    }
  }

  subscribeToAll(options: { after?: GlobalPosition; streamPrefixes?: string[] }): Subscription {
    this.#checkOpen();
    const after = decodeAfter(options.after);
    const prefixes = options.streamPrefixes ?? [];
    const source = this.#connection.client.subscribeToAll({ fromPosition: after ?? START, filter: streamFilter(prefixes) });
    const subscription: Subscription = followSubscription(source, { after, streamPrefixes: prefixes }, () =>
      this.#subscriptions.delete(subscription),
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(options: { streamPrefixes?: string[] } = {}): Promise<GlobalPosition | undefined> {
    this.#checkOpen();
    return this.#connection.run("read", async () => {
      try {
        for await (const event of this.#scan(BACKWARDS, undefined, options.streamPrefixes ?? [], HEAD_PAGE)) return event.position;
      } catch (error) {
        throw toStoreError(error);
      }
      return undefined;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#connection.close();
  }
}

/** What the adapter needs of the client's $all subscription (a Readable of resolved events). */
export interface SubscriptionSource extends AsyncIterable<AllStreamResolvedEvent> {
  on(event: "error", listener: (error: Error) => void): unknown;
  unsubscribe(): Promise<void>;
}

const STOPPED = Symbol("stopped");

/**
 * The port's Subscription over a client subscription: wanted events strictly after `after`,
 * until closed. close() ends a waiting iteration at once; an error of the source (also one
 * raised before iteration began) ends the iteration by throwing it to the consumer, and so
 * does the source ending on its own.
 */
export function followSubscription(
  source: SubscriptionSource,
  options: { after: Position | undefined; streamPrefixes: string[] },
  onEnded: () => void = () => undefined,
): Subscription {
  let closed = false;
  let failure: unknown;
  let stop!: () => void;
  const stopped = new Promise<typeof STOPPED>((resolve) => {
    stop = () => resolve(STOPPED);
  });
  let unsubscribed: Promise<void> | undefined;
  const unsubscribe = () => {
    stop();
    onEnded();
    return (unsubscribed ??= source.unsubscribe().catch(() => undefined));
  };
  source.on("error", (error) => {
    failure ??= error;
    stop();
  });

  async function* follow(): AsyncGenerator<RecordedEvent> {
    const events = source[Symbol.asyncIterator]();
    try {
      while (!closed && failure === undefined) {
        const next = events.next();
        // Once stopped, whatever this read settles with no longer matters.
        next.catch(() => undefined);
        const result = await Promise.race([next, stopped]);
        if (result === STOPPED) break;
        if (result.done) {
          if (!closed) failure ??= new EventStoreUnavailable("The KurrentDB subscription ended unexpectedly");
          break;
        }
        const { event } = result.value;
        if (!event || (options.after && !isBeyond(event.position, options.after, FORWARDS))) continue;
        if (isWanted(event, options.streamPrefixes)) yield toRecordedEvent(event);
      }
    } catch (error) {
      failure ??= error;
    } finally {
      await unsubscribe();
    }
    if (failure !== undefined && !closed) throw toStoreError(failure);
  }

  const iterator = follow();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      closed = true;
      await unsubscribe();
    },
  };
}

export function encodePosition(position: Position): GlobalPosition {
  return `${position.commit}/${position.prepare}`;
}

export function decodePosition(position: GlobalPosition): Position {
  const match = /^(\d+)\/(\d+)$/.exec(position);
  if (!match) throw new Error(`Not a KurrentDB position: ${JSON.stringify(position)}`);
  return { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) };
}

function decodeAfter(after: GlobalPosition | undefined): Position | undefined {
  return after === undefined ? undefined : decodePosition(after);
}

/** $all is ordered by commit position, then prepare position. */
export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

function isBeyond(position: Position, cursor: Position, direction: Direction): boolean {
  const order = comparePositions(position, cursor);
  return direction === FORWARDS ? order > 0 : order < 0;
}

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === "no_stream") return NO_STREAM;
  if (expected === "stream_exists") return STREAM_EXISTS;
  if (expected === "any") return ANY;
  return BigInt(expected);
}

export function revisionMatches(expected: ExpectedRevision, actual: number | "no_stream"): boolean {
  if (expected === "any") return true;
  if (expected === "no_stream") return actual === "no_stream";
  if (expected === "stream_exists") return actual !== "no_stream";
  return actual === expected;
}

/** Server-side filter: the prefixes, or every non-system stream. */
export function streamFilter(prefixes: string[]): Filter {
  return prefixes.length > 0 ? streamNameFilter({ prefixes }) : streamNameFilter({ regex: NOT_SYSTEM_STREAM });
}

/** Also checked here: the server filters on stream names only, and events of type "$…" are system ones. */
export function isWanted(event: KurrentRecordedEvent, prefixes: string[]): boolean {
  if (event.streamId.startsWith("$") || event.type.startsWith("$") || event.streamId.startsWith(INTERNAL_STREAM_PREFIX)) return false;
  return prefixes.length === 0 || prefixes.some((prefix) => event.streamId.startsWith(prefix));
}

/**
 * The event as the client takes it: plain JSON values it can write without failing. Its
 * metadata as JSON, or as the string properties a write across streams takes.
 */
function toEventData(stream: string, event: EventToAppend, metadataAs: "json" | "properties" = "json") {
  const serialised = serialiseEvent(stream, event);
  const metadata = JSON.parse(serialised.metadata) as EventMetadata;
  return jsonEvent<JSONEventType>({
    id: serialised.event_id,
    type: serialised.type,
    data: JSON.parse(serialised.data) as JSONType,
    metadata: (metadataAs === "json" ? metadata : toMetadataProperties(metadata)) as unknown as JSONType,
  });
}

/** Each stream named once and given events: KurrentDB refuses anything else in one write. */
function assertWritableTogether(appends: StreamAppend[]): void {
  if (new Set(appends.map((append) => append.stream)).size !== appends.length) throw new Error("A write across several streams names each stream once");
  if (appends.length > 1 && appends.some((append) => append.events.length === 0)) throw new Error("A write across several streams gives each stream events");
}

/** A conflict names its stream; a server without the feature is told apart from an outage. */
function toMultiStreamAppendError(error: unknown, appends: StreamAppend[]): unknown {
  const converted = asCommandError(error);
  if (converted instanceof UnsupportedError) return new MultiStreamAppendUnsupported(converted.message, { cause: converted });
  if (converted instanceof WrongExpectedVersionError) {
    const conflicting = appends.find((append) => append.stream === converted.streamName) ?? appends[0]!;
    return new WrongExpectedRevision(conflicting.stream, conflicting.expectedRevision, toActualRevision(converted.actualState));
  }
  return toStoreError(error);
}

/** A stream that is not there, or deleted (soft or for good), reads as empty. */
function isMissing(error: unknown): boolean {
  if (error instanceof StreamNotFoundError || error instanceof StreamDeleted) return true;
  const converted = asCommandError(error);
  return converted instanceof StreamNotFoundError || converted?.type === "stream-deleted" || converted?.type === "stream-tombstoned";
}

/** The client's own default. */
const DEFAULT_DEADLINE_MS = 10_000;

/** The connection string's defaultDeadline (milliseconds), which the client's reads ignore. */
export function defaultDeadlineOf(connection: string): number {
  const match = /[?&]defaultDeadline=(\d+)/i.exec(connection);
  const ms = match ? Number(match[1]) : DEFAULT_DEADLINE_MS;
  return ms > 0 ? ms : DEFAULT_DEADLINE_MS;
}

export function toRecordedEvent(event: KurrentRecordedEvent): RecordedEvent {
  if (!event.position) throw new Error(`KurrentDB returned ${event.streamId}@${event.revision} without a position`);
  return {
    stream: event.streamId,
    revision: Number(event.revision),
    position: encodePosition(event.position),
    type: event.type,
    data: event.data,
    // The metadata this adapter wrote, which the client has parsed (kurrentdbMetadata.ts).
    metadata: fromStoredMetadata(event.metadata),
    recorded_at: event.created.toISOString(),
  };
}
