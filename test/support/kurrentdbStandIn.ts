/**
 * A STAND-IN for KurrentDB, at the level of the official client's API: an in-memory log of
 * streams with KurrentDB's positions, revisions and expected-state rules, served through an
 * object shaped like `KurrentDBClient` (the methods the adapters call). It can be taken down
 * (every call fails as the client reports an unreachable server), stalled (reads never
 * answer, as the client's native reads do past their deadline), and it copies three of the
 * real client's behaviours that the adapter must defend against: data serialised inside a
 * promise that never settles when it throws, a wrong revision on conflicts with
 * throwOnAppendFailure=false, and a cached capability failure that poisons every later
 * append of that client.
 *
 * What it can prove: how the adapters react to each answer and failure the client is known
 * to give. What it cannot: that a real server answers that way (timings, gRPC framing,
 * filters, TLS). Only the contract suite against a real server (KURRENTDB_URL) proves that.
 */
import { PassThrough } from "node:stream";
import {
  type AllStreamResolvedEvent,
  type KurrentDBClient,
  type Position,
  DeadlineExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  StreamTombstonedError,
  UnavailableError,
  UnsupportedError,
  WrongExpectedVersionError,
} from "@kurrent/kurrentdb-client";

interface StoredEvent {
  streamId: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  position: Position;
  id: string;
  created: Date;
}

type Mode = "up" | "down" | "stalled";

interface ProposedEvent {
  id: string;
  type: string;
  data: unknown;
  metadata?: unknown;
}

export class KurrentDbStandIn {
  readonly events: StoredEvent[] = [];
  readonly tombstoned = new Set<string>();
  mode: Mode = "up";
  /** As the real client with throwOnAppendFailure=false. */
  throwOnAppendFailure = true;
  /** As a server older than 25.1: the client refuses multiStreamAppend before sending it. */
  withoutMultiStreamAppend = false;
  /** The next client made has a capability check that failed and stays failed. */
  poisonNextClient = false;
  clientsMade = 0;
  readonly #poisoned = new WeakSet<object>();
  readonly #clients: object[] = [];
  readonly #live = new Set<PassThrough>();
  #commit = 0n;

  /** Takes the server down: open subscriptions fail, every call fails as unreachable. */
  down(): void {
    this.mode = "down";
    for (const subscription of this.#live) subscription.destroy(new UnavailableError());
    this.#live.clear();
  }

  stall(): void {
    this.mode = "stalled";
  }

  up(): void {
    this.mode = "up";
  }

  /**
   * Every client made so far keeps a failed capability check (as one that got a deadline
   * while the server was away): its appends fail until it is replaced.
   */
  poisonExistingClients(): void {
    for (const client of this.#clients) this.#poisoned.add(client);
  }

  /** A new client, as KurrentDBClient.connectionString would make. */
  client(): KurrentDBClient {
    this.clientsMade += 1;
    const poisoned = this.poisonNextClient;
    this.poisonNextClient = false;
    const standIn = this;
    let disposed = false;
    const client = {
      async appendToStream(stream: string, proposed: ProposedEvent | ProposedEvent[], options: { streamState?: unknown } = {}) {
        if (disposed) throw new UnavailableError();
        if (poisoned || standIn.#poisoned.has(client)) throw new DeadlineExceededError();
        standIn.#available();
        const events = Array.isArray(proposed) ? proposed : [proposed];
        // As the client's batchAppend: serialised inside `new Promise(async ...)`, so a throw
        // there is an unhandled rejection and the append never settles.
        return new Promise((resolve, reject) => {
          void (async () => {
            const bodies = events.map((event) => Buffer.from(JSON.stringify(event.data), "utf8"));
            if (standIn.tombstoned.has(stream)) return reject(StreamDeletedError.fromStreamName(stream));
            const current = standIn.#revisionOf(stream);
            const expected = options.streamState ?? "any";
            if (!stateMatches(expected, current)) {
              if (!standIn.throwOnAppendFailure) return resolve({ success: false, nextExpectedRevision: 1n, position: undefined });
              return reject(new WrongExpectedVersionError(undefined, { streamName: stream, expected: expected as never, current: current ?? "no_stream" }));
            }
            let revision = current ?? -1n;
            let position: Position = { commit: 0n, prepare: 0n };
            events.forEach((event, index) => {
              revision += 1n;
              standIn.#commit += 100n;
              position = { commit: standIn.#commit, prepare: standIn.#commit };
              const stored = { streamId: stream, revision, type: event.type, data: JSON.parse(bodies[index]!.toString()), metadata: event.metadata, position, id: event.id, created: new Date() };
              standIn.events.push(stored);
              for (const subscription of standIn.#live) subscription.write(resolvedOf(stored));
            });
            resolve({ success: true, nextExpectedRevision: revision, position });
          })();
        });
      },

      /**
       * As the client's multiStreamAppend against a 25.1 server: metadata only as string
       * properties, all streams written or none, a conflict naming its stream, and the
       * properties read back as flat JSON beside the server's "$schema.*" entries.
       */
      async multiStreamAppend(requests: Array<{ streamName: string; expectedState: unknown; events: ProposedEvent[] }>) {
        if (disposed) throw new UnavailableError();
        if (standIn.withoutMultiStreamAppend) throw new UnsupportedError("multiStreamAppend", "25.1");
        for (const { events } of requests) {
          for (const { metadata } of events) {
            if (metadata == null) continue;
            if (typeof metadata !== "object" || Array.isArray(metadata) || Object.values(metadata).some((value) => typeof value !== "string")) {
              throw new Error("multiStreamAppend requires metadata to be a plain object with string keys and string values.");
            }
          }
        }
        standIn.#available();
        for (const { streamName, expectedState } of requests) {
          if (standIn.tombstoned.has(streamName)) throw new StreamTombstonedError(undefined as never, { stream: streamName } as never);
          const current = standIn.#revisionOf(streamName);
          if (!stateMatches(expectedState, current)) {
            throw new WrongExpectedVersionError(undefined, { streamName, expected: expectedState as never, current: current ?? "no_stream" });
          }
        }
        standIn.#commit += 100n;
        const commit = standIn.#commit;
        // One commit position for the lot; prepare positions in the order written.
        let prepare = commit;
        const responses = requests.map(({ streamName, events }) => {
          let revision = standIn.#revisionOf(streamName) ?? -1n;
          for (const event of events) {
            revision += 1n;
            const metadata = { ...(event.metadata as Record<string, string>), "$schema.data-format": "Json", "$schema.name": event.type };
            const stored = { streamId: streamName, revision, type: event.type, data: JSON.parse(JSON.stringify(event.data)), metadata, position: { commit, prepare: prepare++ }, id: event.id, created: new Date() };
            standIn.events.push(stored);
            for (const subscription of standIn.#live) subscription.write(resolvedOf(stored));
          }
          return { streamName, revision };
        });
        return { position: commit, responses };
      },

      readStream(stream: string, options: { direction?: string; fromRevision?: unknown; maxCount?: number | bigint } = {}) {
        return standIn.#read(() => {
          if (standIn.tombstoned.has(stream)) throw StreamDeletedError.fromStreamName(stream);
          let events = standIn.events.filter((event) => event.streamId === stream);
          if (events.length === 0) throw new StreamNotFoundError(undefined as never, stream);
          if (options.direction === "backwards") events = [...events].reverse();
          if (typeof options.fromRevision === "bigint") events = events.filter((event) => event.revision >= (options.fromRevision as bigint));
          return events.slice(0, options.maxCount === undefined ? undefined : Number(options.maxCount));
        });
      },

      readAll(options: { direction?: string; fromPosition?: unknown; maxCount?: number | bigint; filter?: { prefixes?: string[]; regex?: string } } = {}) {
        return standIn.#read(() => {
          const forwards = options.direction !== "backwards";
          let events = forwards ? standIn.events : [...standIn.events].reverse();
          const from = options.fromPosition;
          if (typeof from === "object" && from !== null) {
            const at = (from as Position).commit;
            events = events.filter((event) => (forwards ? event.position.commit >= at : event.position.commit <= at));
          } else if (from === "end" && forwards) events = [];
          events = events.filter((event) => matchesFilter(event.streamId, options.filter));
          return events.slice(0, options.maxCount === undefined ? undefined : Number(options.maxCount));
        });
      },

      subscribeToAll(options: { fromPosition?: unknown; filter?: { prefixes?: string[]; regex?: string } } = {}) {
        const stream = new PassThrough({ objectMode: true });
        const source = Object.assign(stream, {
          async unsubscribe() {
            standIn.#live.delete(stream);
            stream.end();
          },
        });
        if (disposed || standIn.mode === "down") {
          setImmediate(() => source.destroy(new UnavailableError()));
          return source;
        }
        // Catch-up from the position (exclusive), then live events.
        const from = options.fromPosition;
        const after = typeof from === "object" && from !== null ? (from as Position).commit : -1n;
        for (const event of standIn.events) if (event.position.commit > after && matchesFilter(event.streamId, options.filter)) stream.write(resolvedOf(event));
        const live = new PassThrough({ objectMode: true });
        live.on("data", (resolved: AllStreamResolvedEvent) => {
          if (matchesFilter(resolved.event!.streamId, options.filter)) stream.write(resolved);
        });
        live.on("error", (error) => source.destroy(error));
        standIn.#live.add(live);
        return source;
      },

      async setStreamMetadata() {
        standIn.#available();
        return { success: true };
      },

      async dispose() {
        disposed = true;
      },
    };
    this.#clients.push(client);
    if (poisoned) this.#poisoned.add(client);
    return client as unknown as KurrentDBClient;
  }

  #available(): void {
    if (this.mode === "down") throw new UnavailableError();
  }

  /** A read as the client's: fails when down, never answers when stalled. */
  async *#read(events: () => StoredEvent[]): AsyncGenerator<AllStreamResolvedEvent> {
    if (this.mode === "stalled") await new Promise(() => undefined);
    this.#available();
    for (const event of events()) yield resolvedOf(event);
  }

  #revisionOf(stream: string): bigint | undefined {
    let revision: bigint | undefined;
    for (const event of this.events) if (event.streamId === stream) revision = event.revision;
    return revision;
  }
}

/** KurrentDB's expected-state rule. */
function stateMatches(expected: unknown, current: bigint | undefined): boolean {
  return (
    expected === "any" ||
    (expected === "no_stream" && current === undefined) ||
    (expected === "stream_exists" && current !== undefined) ||
    (typeof expected === "bigint" && current === expected)
  );
}

function resolvedOf(event: StoredEvent): AllStreamResolvedEvent {
  return {
    event: {
      streamId: event.streamId,
      id: event.id,
      revision: event.revision,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      isJson: true,
      created: event.created,
      position: event.position,
    },
  } as unknown as AllStreamResolvedEvent;
}

/** The server's stream-name filter: prefixes, or a .NET regex (JavaScript's reads the ones used here alike). */
function matchesFilter(streamId: string, filter: { prefixes?: string[]; regex?: string } | undefined): boolean {
  if (!filter) return true;
  if (filter.prefixes) return filter.prefixes.some((prefix) => streamId.startsWith(prefix));
  if (filter.regex) return new RegExp(filter.regex).test(streamId);
  return true;
}
