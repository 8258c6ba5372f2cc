/**
 * The write loop on the embedded store: a write reads only the events after the state it
 * starts from, a stale or foreign cached state costs a retry and never a lost update, writes
 * to one stream from one process follow each other, a cold load reads in pages, and what is
 * written alongside (reservations, releases) lands in the same write, or where the store
 * cannot, reservations first and releases last.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import t, { type Test } from "tap";
import { handleCommand } from "../../shared/application/commandHandler.js";
import { IdempotencyKeys } from "../../shared/application/idempotencyKeys.js";
import { silentLogger } from "../../shared/logger.js";
import { type CommandContext, toEventsToAppend } from "../../shared/application/context.js";
import { ConcurrentWriteConflict, Failure, StaleRevision } from "../../shared/errors.js";
import { loadStream } from "../../shared/eventstore/loadStream.js";
import { StreamStateCache } from "../../shared/eventstore/streamStateCache.js";
import { type EventStore, type ReadStreamOptions, type StreamAppend, MultiStreamAppendUnsupported } from "../../shared/eventstore/port.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { makeDataDir } from "../support/service.js";

type Added = { type: "Added"; data: { n: number } };
interface Sum {
  total: number;
  count: number;
}

const SUM = {
  kind: "sum",
  initialState: (): Sum => ({ total: 0, count: 0 }),
  evolve: (state: Sum, event: Added): Sum => ({ total: state.total + event.data.n, count: state.count + 1 }),
};

const context: CommandContext = { actor: { id: "user_1", type: "user" }, correlationId: "c", causationId: "c" };
const add = (n: number) => (): Added[] => [{ type: "Added", data: { n } }];

/** Counts what the store is asked for. */
function counting(store: EventStore) {
  const counts = { reads: [] as Array<ReadStreamOptions | undefined>, eventsRead: 0, appends: 0, writesAcross: [] as string[][] };
  const wrapped: EventStore = Object.create(store);
  wrapped.readStream = async (stream, options) => {
    counts.reads.push(options);
    const events = await store.readStream(stream, options);
    counts.eventsRead += events.length;
    return events;
  };
  wrapped.appendToStream = (stream, events, options) => {
    counts.appends += 1;
    return store.appendToStream(stream, events, options);
  };
  wrapped.appendToStreams = (appends) => {
    counts.writesAcross.push(appends.map((append) => append.stream));
    return store.appendToStreams(appends);
  };
  return { store: wrapped, counts };
}

function openStore(t: Test): SqliteEventStore {
  const data = makeDataDir();
  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  t.teardown(async () => {
    await store.close();
    data.remove();
  });
  return store;
}

const write = (store: EventStore, stream: string, n: number, states?: StreamStateCache) =>
  handleCommand(store, stream, SUM, add(n), { clock: () => new Date(), context, states });

t.test("with a cached state, a write reads nothing: its append's expected revision checks the state", async (t) => {
  const { store, counts } = counting(openStore(t));
  const states = new StreamStateCache({ maxBytes: 1_000_000 });
  const stream = `sum-${randomUUID()}`;
  for (let i = 1; i <= 50; i += 1) await write(store, stream, i, states);
  t.equal(counts.reads.length, 1, "only the first write, with nothing cached, read the stream");
  const written = await write(store, stream, 1000, states);
  t.same(written.state, { total: 1275 + 1000, count: 51 });
  t.equal(written.revision, 50);
  t.equal(counts.reads.length, 1, "the 51st write read nothing either");
});

t.test("after another process's write, a cached state costs one lost append, and the retry reads only what is new", async (t) => {
  const { store, counts } = counting(openStore(t));
  const mine = new StreamStateCache({ maxBytes: 1_000_000 });
  const stream = `sum-${randomUUID()}`;
  for (let i = 1; i <= 20; i += 1) await write(store, stream, i, mine);
  await write(store, stream, 100, new StreamStateCache({ maxBytes: 1_000_000 }));
  counts.reads.length = 0;
  counts.eventsRead = 0;
  const written = await write(store, stream, 1000, mine);
  t.same(written.state, { total: 210 + 100 + 1000, count: 22 }, "the other write is in the state");
  t.equal(written.revision, 21);
  t.equal(counts.reads.length, 1, "one read, after the lost append");
  t.equal(counts.eventsRead, 21, "the cache entry was dropped with the lost append: the retry folds the stream again");
});

/** A decision that refuses on a total below `least`, or writes nothing when `least` is already met. */
const atLeast = (least: number) => (state: Sum): Added[] => {
  if (state.count === 0) throw new Error("nothing to raise");
  return state.total >= least ? [] : [{ type: "Added", data: { n: least - state.total } }];
};

t.test("a refusal or a no-op decided on a cached state is decided again on what the store holds", async (t) => {
  const store = openStore(t);
  const stream = `sum-${randomUUID()}`;
  const stale = new StreamStateCache({ maxBytes: 1_000_000 });
  stale.set("sum", stream, { revision: -1, state: { total: 0, count: 0 } });
  await write(store, stream, 5);
  const raised = await handleCommand(store, stream, SUM, atLeast(8), { clock: () => new Date(), context, states: stale });
  t.same(raised.state, { total: 8, count: 2 }, "the refusal the stale state called for was not given: the store has the stream");

  stale.set("sum", stream, { revision: 0, state: { total: 5, count: 1 } });
  await write(store, stream, 10);
  const unchanged = await handleCommand(store, stream, SUM, atLeast(10), { clock: () => new Date(), context, states: stale });
  t.equal(unchanged.changed, false, "nothing to write on the store's state either");
  t.same(unchanged.state, { total: 18, count: 3 });
  t.equal(unchanged.revision, 2, "the answer is the store's state, not the cached one");

  stale.set("sum", stream, { revision: 2, state: { total: 18, count: 3 } });
  await write(store, stream, -15);
  const topped = await handleCommand(store, stream, SUM, atLeast(10), { clock: () => new Date(), context, states: stale });
  t.same(topped.state, { total: 10, count: 5 }, "a write the stale state saw no need for is written");
});

t.test("a state cached by one process is caught up with another's writes, never trusted over the store", async (t) => {
  const store = openStore(t);
  const mine = new StreamStateCache({ maxBytes: 1_000_000 });
  const theirs = new StreamStateCache({ maxBytes: 1_000_000 });
  const stream = `sum-${randomUUID()}`;
  await write(store, stream, 1, mine);
  await write(store, stream, 10, theirs);
  await write(store, stream, 100, theirs);
  const written = await write(store, stream, 1000, mine);
  t.same(written.state, { total: 1111, count: 4 }, "the other process's two writes are in the state");

  // A cached state ahead of the store (restored from elsewhere, say): the append fails its
  // expected revision, the entry is dropped, and the write is decided again on the store's state.
  mine.set("sum", stream, { revision: 99, state: { total: -5, count: 100 } });
  const again = await write(store, stream, 5, mine);
  t.same(again.state, { total: 1116, count: 5 });
  t.equal(again.revision, 4);
  const folded = await loadStream(store, stream, SUM);
  t.same(folded.state, { total: 1116, count: 5 }, "the store holds exactly the decided writes");
});

/** Not found unless the stream has something in it (a deleted entity's refusal). */
class NothingThere extends Failure {
  readonly kind = "not_found";
}

t.test("a write on a revision (If-Match) is decided there, or refused as stale with nothing written", async (t) => {
  const store = openStore(t);
  const states = new StreamStateCache({ maxBytes: 1_000_000 });
  const stream = `sum-${randomUUID()}`;
  for (let i = 1; i <= 3; i += 1) await write(store, stream, i, states);
  const at = (...ifMatch: number[]) => ({ clock: () => new Date(), context: { ...context, ifMatch }, states });

  const written = await handleCommand(store, stream, SUM, add(10), at(2));
  t.same([written.revision, written.state], [3, { total: 16, count: 4 }], "decided on revision 2, the current one");
  await t.rejects(handleCommand(store, stream, SUM, add(100), at(2)), new StaleRevision(stream, 3), "revision 2 is no longer current");
  t.same((await loadStream(store, stream, SUM)).state, { total: 16, count: 4 }, "the stale write wrote nothing");
  t.equal((await handleCommand(store, stream, SUM, add(1), at(1, 3))).revision, 4, "any of the revisions named");

  // Another process writes between this one's read and its append: stale, not decided again.
  const other = new StreamStateCache({ maxBytes: 1_000_000 });
  await write(store, stream, 1000, other);
  await t.rejects(handleCommand(store, stream, SUM, add(5), at(4)), StaleRevision, "the cached state at 4 lost its append to the other write");
  t.equal((await loadStream(store, stream, SUM)).revision, 5, "only the other process's write is there");

  const missing = `sum-${randomUUID()}`;
  const refuseEmpty = (state: Sum): Added[] => {
    if (state.count === 0) throw new NothingThere("not there");
    return [];
  };
  await t.rejects(handleCommand(store, missing, SUM, refuseEmpty, at(0)), { kind: "not_found", message: "not there" }, "what does not exist answers as without If-Match");
});

t.test("concurrent writes to one stream from one process follow each other: none lost, none retried", async (t) => {
  const { store, counts } = counting(openStore(t));
  const states = new StreamStateCache({ maxBytes: 1_000_000 });
  const stream = `sum-${randomUUID()}`;
  const results = await Promise.all(Array.from({ length: 32 }, (_, i) => write(store, stream, i + 1, states)));
  t.equal(counts.appends, 32, "one append per write: no write lost a race and retried");
  t.same(results.map((r) => r.revision).sort((a, b) => a - b), Array.from({ length: 32 }, (_, i) => i));
  t.same((await loadStream(store, stream, SUM)).state, { total: (32 * 33) / 2, count: 32 });
});

t.test("writes to different streams are not held up by each other", async (t) => {
  const store = openStore(t);
  const slow = `sum-${randomUUID()}`;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = handleCommand(store, slow, SUM, add(1), {
    clock: () => new Date(),
    context,
    alongside: async () => {
      await gate;
      return [];
    },
  });
  const other = await write(store, `sum-${randomUUID()}`, 2);
  t.equal(other.revision, 0, "another stream's write completes while the first waits");
  release();
  t.equal((await held).revision, 0);
});

t.test("a long stream is loaded a page at a time", async (t) => {
  const { store, counts } = counting(openStore(t));
  const stream = `sum-${randomUUID()}`;
  await store.appendToStream(
    stream,
    Array.from({ length: 600 }, (_, i) => ({
      type: "Added",
      data: { n: i },
      metadata: { event_id: randomUUID(), schema_version: 1, occurred_at: "", correlation_id: "", causation_id: "", actor: context.actor },
    })),
    { expectedRevision: "no_stream" },
  );
  const loaded = await loadStream(store, stream, SUM);
  t.same(loaded.state, { total: (599 * 600) / 2, count: 600 });
  t.equal(loaded.expectedRevision, 599);
  t.same(
    counts.reads.map((options) => options?.fromRevision),
    [0, 256, 512],
    "three pages of at most 256 events",
  );
});

/** A companion write of one "Reserved" event to `stream`, expecting it as it is now. */
async function reservation(store: EventStore, stream: string, now: Date): Promise<StreamAppend[]> {
  const { expectedRevision } = await loadStream(store, stream, SUM);
  return [{ stream, events: toEventsToAppend([{ type: "Added", data: { n: 0 } }], context, now), expectedRevision }];
}

t.test("what is written alongside lands in the same write as the stream's own events", async (t) => {
  const { store, counts } = counting(openStore(t));
  const own = `sum-${randomUUID()}`;
  const other = `reservation-${randomUUID()}`;
  const handled = await handleCommand(store, own, SUM, add(5), { clock: () => new Date(), context, newStream: true, alongside: (_e, _s, now) => reservation(store, other, now) });
  t.equal(handled.revision, 0);
  t.same(counts.writesAcross, [[other, own]], "one write for both streams");
  t.equal(counts.appends, 0, "no write of one stream alone");
  t.equal((await store.readStream(other)).length, 1);
  t.equal((await store.readStream(own)).length, 1);
});

t.test("a race lost on a stream written alongside is decided again, for a new stream too", async (t) => {
  const store = openStore(t);
  const own = `sum-${randomUUID()}`;
  const other = `reservation-${randomUUID()}`;
  let decisions = 0;
  const handled = await handleCommand(store, own, SUM, add(1), {
    clock: () => new Date(),
    context,
    newStream: true,
    alongside: async (_events, _state, now) => {
      decisions += 1;
      const companion = await reservation(store, other, now);
      // The first time, another writer reserves in between.
      if (decisions === 1) await store.appendToStream(other, toEventsToAppend([{ type: "Added", data: { n: 9 } }], context, now), { expectedRevision: "any" });
      return companion;
    },
  });
  t.equal(decisions, 2, "decided again on top of the other write");
  t.equal(handled.revision, 0);
  t.same((await store.readStream(other)).map((e) => (e.data as { n: number }).n), [9, 0]);
});

t.test("a new stream that already exists is a conflict, and nothing is written alongside", async (t) => {
  const store = openStore(t);
  const own = `sum-${randomUUID()}`;
  const other = `reservation-${randomUUID()}`;
  await write(store, own, 1);
  const attempt = handleCommand(store, own, SUM, add(2), { clock: () => new Date(), context, newStream: true, alongside: (_e, _s, now) => reservation(store, other, now) });
  await t.rejects(attempt, ConcurrentWriteConflict);
  t.same(await store.readStream(other), [], "the reservation was not written");
});

t.test("what is released lands in the same write too, after the stream's own events in the log", async (t) => {
  const sqlite = openStore(t);
  const { store, counts } = counting(sqlite);
  const own = `sum-${randomUUID()}`;
  const claimed = `reservation-${randomUUID()}`;
  const released = `reservation-${randomUUID()}`;
  await write(store, own, 1);
  await handleCommand(store, own, SUM, add(2), {
    clock: () => new Date(),
    context,
    alongside: (_e, _s, now) => reservation(store, claimed, now),
    alongsideAfter: (_e, _s, now) => reservation(store, released, now),
  });
  t.same(counts.writesAcross, [[claimed, own, released]], "one write for the three streams");
  const log = await sqlite.readAll({ maxCount: 10 });
  t.same(
    log.map((event) => event.stream),
    [own, claimed, own, released],
    "the release follows the change that gives the value up",
  );
});

/** The SQLite store, as one that cannot write streams together would be: `order` lists its appends. */
function withoutWritesTogether(t: Test) {
  const sqlite = openStore(t);
  const order: string[] = [];
  const store: EventStore = Object.create(sqlite);
  store.readStream = (stream, options) => sqlite.readStream(stream, options);
  store.appendToStreams = async () => {
    throw new MultiStreamAppendUnsupported("not here");
  };
  store.appendToStream = (stream, events, options) => {
    order.push(stream);
    return sqlite.appendToStream(stream, events, options);
  };
  return { sqlite, store, order };
}

t.test("there, a request's Idempotency-Key is written first, and a race lost for its own stream does not take the key twice", async (t) => {
  const { sqlite, store, order } = withoutWritesTogether(t);
  const own = `sum-${randomUUID()}`;
  const mine = new StreamStateCache({ maxBytes: 1_000_000 });
  await write(store, own, 1, mine);
  await write(sqlite, own, 10); // another process: this one's cached state is now stale
  order.length = 0;
  const keys = new IdempotencyKeys({ store, clock: () => new Date(), logger: silentLogger });
  const started = await keys.start({ actorId: "user_1", route: "POST /sums", key: "k1", fingerprint: "f1", requestId: "req-1" });
  if (started.action !== "run") throw new Error("a new key runs");
  const written = await handleCommand(store, own, SUM, add(100), { clock: () => new Date(), context: { ...context, idempotency: started.claim }, states: mine });
  t.same(written.state, { total: 111, count: 3 });
  t.same(order, [started.claim.stream, own, own], "the key, the lost append, the append decided again (without the key)");
  t.equal((await sqlite.readStream(started.claim.stream)).length, 1, "the key is written once");
});

t.test("a store that cannot write streams together gets what is alongside first, then the stream's own events, then the releases", async (t) => {
  const { sqlite, store, order } = withoutWritesTogether(t);
  const own = `sum-${randomUUID()}`;
  const claimed = `reservation-${randomUUID()}`;
  const released = `reservation-${randomUUID()}`;
  await handleCommand(store, own, SUM, add(3), {
    clock: () => new Date(),
    context,
    newStream: true,
    alongside: (_e, _s, now) => reservation(store, claimed, now),
    alongsideAfter: (_e, _s, now) => reservation(store, released, now),
  });
  t.same(order, [claimed, own, released]);
  t.equal((await sqlite.readStream(own)).length, 1);
  t.equal((await sqlite.readStream(released)).length, 1);
});

t.test("there, a release that loses a race is decided again, and one that fails leaves the command's write standing", async (t) => {
  const { sqlite, store } = withoutWritesTogether(t);
  const own = `sum-${randomUUID()}`;
  const released = `reservation-${randomUUID()}`;
  let decisions = 0;
  await handleCommand(store, own, SUM, add(3), {
    clock: () => new Date(),
    context,
    alongsideAfter: async (_events, _state, now) => {
      decisions += 1;
      const release = await reservation(store, released, now);
      // The first time, another writer gets to the stream before the release is appended.
      if (decisions === 1) await sqlite.appendToStream(released, toEventsToAppend([{ type: "Added", data: { n: 9 } }], context, now), { expectedRevision: "any" });
      return release;
    },
    followUpFailed: (error) => t.fail(`not expected: ${String(error)}`),
  });
  t.equal(decisions, 2, "decided again after the lost race");
  t.equal((await sqlite.readStream(released)).length, 2, "the other write and the release");
  t.equal((await sqlite.readStream(own)).length, 1, "the command's own events, once: the lost race was not the command's");

  const failures: unknown[] = [];
  const handled = await handleCommand(store, own, SUM, add(4), {
    clock: () => new Date(),
    context,
    alongsideAfter: async (_events, _state, now) => {
      if (decisions++ > 2) throw new Error("the reservation cannot be read");
      const release = await reservation(store, released, now);
      await sqlite.appendToStream(released, toEventsToAppend([{ type: "Added", data: { n: 9 } }], context, now), { expectedRevision: "any" });
      return release;
    },
    followUpFailed: (error) => failures.push(error),
  });
  t.equal(handled.revision, 1, "the command's write stands");
  t.equal(failures.length, 1, "the failed release is reported once");
  t.match(String(failures[0]), /cannot be read/);
});
