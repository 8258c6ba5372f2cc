/**
 * The KurrentDB event store: the contract suite against a real server (KURRENTDB_URL), and,
 * always, the adapter's own logic against the client's types and errors, an unreachable
 * server, and stand-ins for the client's $all read and subscription.
 */
import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import t from "tap";
import {
  type AllStreamResolvedEvent,
  type KurrentDBClient,
  type Position,
  type ReadAllOptions,
  ANY,
  END,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from "@kurrent/kurrentdb-client";
import {
  KurrentDbEventStore,
  comparePositions,
  decodePosition,
  encodePosition,
  followSubscription,
  isWanted,
  revisionMatches,
  streamFilter,
  toActualRevision,
  toAppendError,
  toRecordedEvent,
  toStoreError,
  toStreamState,
} from "../../shared/eventstore/kurrentdb.js";
import { type EventToAppend, type RecordedEvent, EventStoreUnavailable, WrongExpectedRevision } from "../../shared/eventstore/port.js";
import { kurrentdbUrl, requireServers } from "../support/cluster.js";
import { eventStoreContract } from "./eventStore.contract.js";

if (requireServers(t, "KurrentDB event store contract suite", ["kurrentdb"])) {
  t.test("KurrentDB event store contract suite", async (t) => {
    eventStoreContract(t, async () => {
      const store = new KurrentDbEventStore(kurrentdbUrl);
      return { store, cleanup: () => store.close() };
    });
  });
}

const metadata = {
  event_id: "6f1c2a9e-7d43-4b0e-9a51-3c8f2d7e4b10",
  schema_version: 1,
  occurred_at: "2026-11-27T03:08:50.341Z",
  correlation_id: "corr-1",
  causation_id: "cause-1",
  actor: { id: "user_1", type: "user" },
};

const at = (n: number): Position => ({ commit: BigInt(n * 100), prepare: BigInt(n * 100) });

/** A ResolvedEvent as the client yields it from $all. */
function resolved(n: number, streamId: string, type: string, revision = 0): AllStreamResolvedEvent {
  const position = at(n);
  return {
    event: {
      streamId,
      id: randomUUID(),
      isJson: true,
      revision: BigInt(revision),
      type,
      created: new Date(Date.UTC(2026, 10, 27, 3, 8, 50, n)),
      data: { n },
      metadata,
      position,
    },
    commitPosition: position.commit,
  };
}

t.test("positions encode as commit/prepare and decode back", async (t) => {
  const huge: Position = { commit: 2n ** 63n - 1n, prepare: 2n ** 63n - 2n };
  t.equal(encodePosition({ commit: 1056n, prepare: 1024n }), "1056/1024");
  t.same(decodePosition("1056/1024"), { commit: 1056n, prepare: 1024n });
  t.same(decodePosition(encodePosition(huge)), huge, "beyond Number.MAX_SAFE_INTEGER too");
  for (const bad of ["", "42", "1/", "/1", "1/2/3", "-1/2", "a/b"]) t.throws(() => decodePosition(bad), `rejects ${JSON.stringify(bad)}`);
  t.equal(comparePositions(at(1), at(2)), -1);
  t.equal(comparePositions({ commit: 5n, prepare: 9n }, { commit: 5n, prepare: 7n }), 1, "prepare orders events of one commit");
  t.equal(comparePositions(at(3), at(3)), 0);
});

t.test("expected revisions map to the client's stream states", async (t) => {
  t.equal(toStreamState("no_stream"), NO_STREAM);
  t.equal(toStreamState("stream_exists"), STREAM_EXISTS);
  t.equal(toStreamState("any"), ANY);
  t.equal(toStreamState(0), 0n);
  t.equal(toStreamState(41), 41n);
  t.equal(toActualRevision("no_stream"), "no_stream");
  t.equal(toActualRevision(-1n), "no_stream");
  t.equal(toActualRevision(7n), 7);
  t.ok(revisionMatches("any", "no_stream") && revisionMatches("no_stream", "no_stream") && revisionMatches("stream_exists", 0) && revisionMatches(3, 3));
  t.notOk(revisionMatches("no_stream", 0) || revisionMatches("stream_exists", "no_stream") || revisionMatches(3, 4) || revisionMatches(0, "no_stream"));
});

t.test("a client ResolvedEvent becomes the port's RecordedEvent", async (t) => {
  const { event } = resolved(7, "customer-cus_1", "CustomerCreated", 2);
  const recorded: RecordedEvent = toRecordedEvent(event!);
  t.same(recorded, {
    stream: "customer-cus_1",
    revision: 2,
    position: "700/700",
    type: "CustomerCreated",
    data: { n: 7 },
    metadata,
    recorded_at: "2026-11-27T03:08:50.007Z",
  });
  t.throws(() => toRecordedEvent({ ...event!, position: undefined }), /without a position/);
});

t.test("system streams and events are never wanted; prefixes select streams", async (t) => {
  t.ok(isWanted(resolved(1, "customer-1", "CustomerCreated").event!, []));
  t.notOk(isWanted(resolved(1, "$stats-127.0.0.1:2113", "$statsCollected").event!, []));
  t.notOk(isWanted(resolved(1, "$$customer-1", "$metadata").event!, []));
  t.notOk(isWanted(resolved(1, "customer-1", "$streamDeleted").event!, []), "a system event in a user stream");
  t.ok(isWanted(resolved(1, "customer-1", "X").event!, ["other-", "customer-"]));
  t.notOk(isWanted(resolved(1, "customers_checkpoint-p", "PublisherCheckpointed").event!, ["customer-"]));
  t.notOk(isWanted(resolved(1, "customers_checkpoint-p", "PublisherCheckpointed").event!, []), "the service's own checkpoints are not part of the log");
  t.match(streamFilter(["customer-"]), { filterOn: "streamName", prefixes: ["customer-"] });
  t.match(streamFilter([]), { filterOn: "streamName", regex: "^(?!\\$|customers_checkpoint-)" });
});

t.test("the client's WrongExpectedVersionError becomes WrongExpectedRevision", async (t) => {
  // As the client's append and fromWrongExpectedVersion construct it.
  const current = new WrongExpectedVersionError(undefined, { streamName: "customer-1", expected: 0n, current: 1n });
  const conflict = toAppendError(current, "customer-1", 0);
  t.type(conflict, WrongExpectedRevision);
  t.match(conflict, { stream: "customer-1", expected: 0, actual: 1 });

  const missing = new WrongExpectedVersionError(undefined, { streamName: "customer-2", expected: STREAM_EXISTS, current: "no_stream" });
  t.match(toAppendError(missing, "customer-2", "stream_exists"), { expected: "stream_exists", actual: "no_stream" });

  // As the server reports it in a gRPC status, converted the way the client does.
  const headers: Record<string, string> = { exception: "wrong-expected-version", "stream-name": "customer-3", "expected-version": "-1", "actual-version": "4" };
  const status = Object.assign(new Error("9 FAILED_PRECONDITION: Append failed"), {
    code: 9,
    details: "Append failed",
    metadata: { getMap: () => headers },
  });
  t.match(toAppendError(status, "customer-3", "no_stream"), { name: "WrongExpectedRevision", expected: "no_stream", actual: 4 });
});

t.test("failures the client reports become EventStoreUnavailable; other errors pass", async (t) => {
  const unreachable = Object.assign(new Error("14 UNAVAILABLE: No connection established"), { code: 14, details: "No connection established" });
  t.type(toStoreError(unreachable), EventStoreUnavailable, "a raw gRPC status, as append rejects with");
  t.type(toStoreError(new UnavailableError()), EventStoreUnavailable);
  t.type(toStoreError(Object.assign(new UnknownError(), { message: "Deadline exceeded" })), EventStoreUnavailable, "the Rust reads' deadline");
  t.type(toAppendError(new UnavailableError(), "customer-1", "no_stream"), EventStoreUnavailable);
  t.equal((toStoreError(new UnavailableError()) as Error).cause instanceof UnavailableError, true, "keeps the cause");
  const bug = new TypeError("not the store's fault");
  t.equal(toStoreError(bug), bug);
  const conflict = new WrongExpectedRevision("s", 0, 1);
  t.equal(toAppendError(conflict, "s", 0), conflict);
});

/** A stand-in for the client's $all read, as the server answers: `fromPosition` inclusive, filtered by stream name. */
function clientReadingAll(log: AllStreamResolvedEvent[]): KurrentDBClient {
  async function* readAll({ fromPosition = START, direction = FORWARDS, maxCount = Number.MAX_SAFE_INTEGER, filter }: ReadAllOptions = {}) {
    const ordered = direction === FORWARDS ? log : [...log].reverse();
    let sent = 0;
    for (const entry of ordered) {
      const { position, streamId } = entry.event!;
      if (typeof fromPosition === "object") {
        const order = comparePositions(position, fromPosition);
        if (direction === FORWARDS ? order < 0 : order > 0) continue;
      } else if (fromPosition === END && direction === FORWARDS) continue;
      if (filter && "prefixes" in filter && !filter.prefixes.some((prefix) => streamId.startsWith(prefix))) continue;
      if (filter && "regex" in filter && !new RegExp(filter.regex).test(streamId)) continue;
      if (sent >= Number(maxCount)) return;
      sent += 1;
      yield entry;
    }
  }
  return { readAll } as unknown as KurrentDBClient;
}

t.test("readAll and headPosition over a server that reads from a position inclusively", async (t) => {
  const store = new KurrentDbEventStore(
    clientReadingAll([
      resolved(1, "customer-1", "Created"),
      resolved(2, "$stats-node", "$statsCollected"),
      resolved(3, "other-1", "Other"),
      resolved(4, "customer-2", "Created"),
      resolved(5, "customer-1", "$metadata", 1),
      resolved(6, "customer-1", "Updated", 2),
    ]),
  );
  const types = (events: RecordedEvent[]) => events.map((e) => `${e.stream}:${e.type}`);
  const customers = ["customer-"];
  t.same(types(await store.readAll({ maxCount: 10 })), ["customer-1:Created", "other-1:Other", "customer-2:Created", "customer-1:Updated"]);
  t.same(types(await store.readAll({ after: "100/100", streamPrefixes: customers, maxCount: 10 })), ["customer-2:Created", "customer-1:Updated"], "strictly after");
  t.same(types(await store.readAll({ after: "100/100", streamPrefixes: customers, maxCount: 1 })), ["customer-2:Created"], "maxCount");
  t.same(types(await store.readAll({ after: "400/400", streamPrefixes: customers, maxCount: 1 })), ["customer-1:Updated"], "pages past an unwanted event");
  t.same(await store.readAll({ after: "600/600", maxCount: 10 }), []);
  t.equal(await store.headPosition(), "600/600");
  t.equal(await store.headPosition({ streamPrefixes: ["other-"] }), "300/300");
  t.equal(await store.headPosition({ streamPrefixes: ["none-"] }), undefined);
  await store.close();
});

/** A stand-in for the client's $all subscription: a Readable of resolved events with unsubscribe(). */
function subscriptionSource() {
  const stream = new PassThrough({ objectMode: true });
  const calls = { unsubscribe: 0 };
  const source = Object.assign(stream, {
    async unsubscribe() {
      calls.unsubscribe += 1;
      stream.end();
    },
  });
  return { source, calls };
}

async function collect(subscription: AsyncIterable<RecordedEvent>, count = Infinity): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  for await (const event of subscription) {
    seen.push(event);
    if (seen.length === count) break;
  }
  return seen;
}

t.test("a subscription delivers wanted events strictly after `after`", async (t) => {
  const { source, calls } = subscriptionSource();
  const subscription = followSubscription(source, { after: at(1), streamPrefixes: ["customer-"] });
  for (const entry of [
    resolved(1, "customer-1", "AtAfter"),
    resolved(2, "$stats-node", "$statsCollected"),
    resolved(3, "other-1", "Other"),
    resolved(4, "customer-2", "Created"),
    resolved(5, "customer-1", "$metadata"),
    resolved(6, "customer-1", "Updated", 1),
  ]) {
    source.write(entry);
  }
  t.same((await collect(subscription, 2)).map((e) => e.type), ["Created", "Updated"]);
  t.equal(calls.unsubscribe, 1, "leaving the loop unsubscribes");
  await subscription.close();
  t.equal(calls.unsubscribe, 1, "once");
});

t.test("closing a waiting subscription ends it at once", async (t) => {
  const { source, calls } = subscriptionSource();
  // A source that never ends by itself, as a live subscription with nothing new.
  source.unsubscribe = async () => {
    calls.unsubscribe += 1;
  };
  const subscription = followSubscription(source, { after: undefined, streamPrefixes: [] });
  const ended = collect(subscription);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const closing = Date.now();
  await subscription.close();
  t.same(await ended, []);
  t.ok(Date.now() - closing < 100, "promptly");
  t.equal(calls.unsubscribe, 1);
});

t.test("a subscription error ends the iteration by throwing to the consumer", async (t) => {
  const { source } = subscriptionSource();
  const subscription = followSubscription(source, { after: undefined, streamPrefixes: [] });
  source.write(resolved(1, "customer-1", "Created"));
  const seen: string[] = [];
  const failed = (async () => {
    for await (const event of subscription) {
      seen.push(event.type);
      source.emit("error", new UnavailableError());
    }
  })();
  await t.rejects(failed, EventStoreUnavailable);
  t.same(seen, ["Created"]);
});

t.test("an error raised before iterating is not lost", async (t) => {
  const { source } = subscriptionSource();
  const subscription = followSubscription(source, { after: undefined, streamPrefixes: [] });
  source.emit("error", new UnavailableError());
  await t.rejects(collect(subscription), EventStoreUnavailable);
});

t.test("a subscription whose source ends without close() fails", async (t) => {
  const { source } = subscriptionSource();
  const subscription = followSubscription(source, { after: undefined, streamPrefixes: [] });
  source.end();
  await t.rejects(collect(subscription), EventStoreUnavailable);
});

/** Nothing listens on port 1; a short deadline keeps a hang from passing unnoticed. */
const UNREACHABLE = "kurrentdb://127.0.0.1:1?tls=false&defaultDeadline=2000";

t.test("an unreachable server is reported promptly as EventStoreUnavailable", async (t) => {
  const store = new KurrentDbEventStore(UNREACHABLE);
  const event: EventToAppend = { type: "CustomerCreated", data: { id: "cus_1" }, metadata };
  const within = async (what: string, operation: () => Promise<unknown>) => {
    const started = Date.now();
    await t.rejects(operation(), EventStoreUnavailable, what);
    t.ok(Date.now() - started < 5000, `${what} fails within 5 s (took ${Date.now() - started} ms)`);
  };
  await within("appendToStream", () => store.appendToStream("customer-cus_1", [event], { expectedRevision: "no_stream" }));
  await within("readStream", () => store.readStream("customer-cus_1"));
  await within("readAll", () => store.readAll({ maxCount: 10 }));
  await within("headPosition", () => store.headPosition());
  await within("subscribeToAll", () => collect(store.subscribeToAll({ streamPrefixes: ["customer-"] })));
  await store.close();
  await t.rejects(store.appendToStream("customer-cus_1", [event], { expectedRevision: "no_stream" }), EventStoreUnavailable, "closed");
});
