/**
 * The event store contract: every adapter runs this suite (the embedded SQLite store always;
 * KurrentDB when KURRENTDB_URL is set). Stream names are unique per run so the suite can run
 * against a server that keeps its data.
 */
import { randomUUID } from "node:crypto";
import type { Test } from "tap";
import { UnserialisableEvent } from "../../shared/eventstore/eventJson.js";
import { eventToAppend } from "../support/events.js";
import {
  type AppendResult,
  type EventStore,
  type RecordedEvent,
  type StreamAppend,
  MultiStreamAppendUnsupported,
  WrongExpectedRevision,
} from "../../shared/eventstore/port.js";

export interface EventStoreFixture {
  store: EventStore;
  cleanup(): Promise<void>;
}

const event = eventToAppend;

export function eventStoreContract(t: Test, makeFixture: () => Promise<EventStoreFixture>): void {
  let fixture: EventStoreFixture;
  let run: string;
  const stream = (name: string) => `contract${run}-${name}`;

  t.beforeEach(async () => {
    fixture = await makeFixture();
    run = randomUUID().replaceAll("-", "").slice(0, 12);
  });
  t.afterEach(async () => fixture.cleanup());

  t.test("appends to a new stream and reads it back in order", async (t) => {
    const { store } = fixture;
    const first = event("Happened", { n: 1, nested: { ok: true } });
    const result = await store.appendToStream(stream("a"), [first, event("Happened", { n: 2 })], { expectedRevision: "no_stream" });
    t.equal(result.revision, 1);
    const read = await store.readStream(stream("a"));
    t.same(
      read.map((e) => [e.stream, e.revision, e.type, e.data]),
      [
        [stream("a"), 0, "Happened", { n: 1, nested: { ok: true } }],
        [stream("a"), 1, "Happened", { n: 2 }],
      ],
    );
    t.same(read[0]!.metadata, first.metadata, "metadata comes back as written");
    t.ok(Date.parse(read[0]!.recorded_at) > 0, "recorded_at is a timestamp");
  });

  t.test("a missing stream reads as empty", async (t) => {
    t.same(await fixture.store.readStream(stream("missing")), []);
  });

  t.test("a stream's revision is its last event's, -1 when it does not exist", async (t) => {
    const { store } = fixture;
    t.equal(await store.streamRevision(stream("rev")), -1);
    await store.appendToStream(stream("rev"), [event("E0")], { expectedRevision: "no_stream" });
    t.equal(await store.streamRevision(stream("rev")), 0);
    await store.appendToStream(stream("rev"), [event("E1"), event("E2")], { expectedRevision: 0 });
    t.equal(await store.streamRevision(stream("rev")), 2);
    t.equal(await store.streamRevision(stream("rev-other")), -1, "another stream's events do not count");
  });

  t.test("reads part of a stream: from a revision, at most a count", async (t) => {
    const { store } = fixture;
    await store.appendToStream(stream("part"), ["E0", "E1", "E2", "E3", "E4"].map((type) => event(type)), { expectedRevision: "no_stream" });
    const types = async (options: { fromRevision?: number; maxCount?: number }) =>
      (await store.readStream(stream("part"), options)).map((e) => [e.revision, e.type]);
    t.same(await types({ fromRevision: 3 }), [
      [3, "E3"],
      [4, "E4"],
    ]);
    t.same(await types({ fromRevision: 1, maxCount: 2 }), [
      [1, "E1"],
      [2, "E2"],
    ]);
    t.same(await types({ maxCount: 1 }), [[0, "E0"]]);
    t.same(await types({ fromRevision: 5 }), [], "past the end reads nothing");
    t.same(await types({ maxCount: 0 }), [], "a count of 0 reads nothing");
    t.same(await store.readStream(stream("part-missing"), { fromRevision: 2, maxCount: 10 }), [], "a missing stream is still empty");
  });

  t.test("no_stream fails once the stream exists, and writes nothing", async (t) => {
    const { store } = fixture;
    await store.appendToStream(stream("b"), [event("First")], { expectedRevision: "no_stream" });
    await t.rejects(store.appendToStream(stream("b"), [event("Second")], { expectedRevision: "no_stream" }), WrongExpectedRevision);
    t.same((await store.readStream(stream("b"))).map((e) => e.type), ["First"]);
  });

  t.test("an exact revision succeeds only at that revision", async (t) => {
    const { store } = fixture;
    await store.appendToStream(stream("c"), [event("E0")], { expectedRevision: "no_stream" });
    const result = await store.appendToStream(stream("c"), [event("E1")], { expectedRevision: 0 });
    t.equal(result.revision, 1);
    const error = await store.appendToStream(stream("c"), [event("Stale")], { expectedRevision: 0 }).catch((e: unknown) => e);
    t.type(error, WrongExpectedRevision);
    t.equal((error as WrongExpectedRevision).actual, 1, "the error tells the actual revision");
    await t.rejects(store.appendToStream(stream("c-missing"), [event("X")], { expectedRevision: 0 }), WrongExpectedRevision);
  });

  t.test("stream_exists and any", async (t) => {
    const { store } = fixture;
    await t.rejects(store.appendToStream(stream("d"), [event("X")], { expectedRevision: "stream_exists" }), WrongExpectedRevision);
    await store.appendToStream(stream("d"), [event("A")], { expectedRevision: "any" });
    await store.appendToStream(stream("d"), [event("B")], { expectedRevision: "stream_exists" });
    await store.appendToStream(stream("d"), [event("C")], { expectedRevision: "any" });
    t.same((await store.readStream(stream("d"))).map((e) => [e.revision, e.type]), [
      [0, "A"],
      [1, "B"],
      [2, "C"],
    ]);
  });

  t.test("of many concurrent no_stream appends exactly one wins", async (t) => {
    const { store } = fixture;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 64 }, (_, i) => store.appendToStream(stream("race"), [event("Won", { i })], { expectedRevision: "no_stream" })),
    );
    t.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
    t.ok(outcomes.filter((o) => o.status === "rejected").every((o) => (o as PromiseRejectedResult).reason instanceof WrongExpectedRevision));
    t.equal((await store.readStream(stream("race"))).length, 1);
  });

  t.test("a conflicting append in a burst fails alone", async (t) => {
    const { store } = fixture;
    await store.appendToStream(stream("taken"), [event("X")], { expectedRevision: "no_stream" });
    const [ok, conflict, alsoOk] = await Promise.allSettled([
      store.appendToStream(stream("e1"), [event("A")], { expectedRevision: "no_stream" }),
      store.appendToStream(stream("taken"), [event("Y")], { expectedRevision: "no_stream" }),
      store.appendToStream(stream("e2"), [event("B")], { expectedRevision: "no_stream" }),
    ]);
    t.equal(ok.status, "fulfilled");
    t.equal(conflict.status, "rejected");
    t.equal(alsoOk.status, "fulfilled");
  });

  t.test("an event JSON cannot hold is refused at once and alone; appends beside it are written", async (t) => {
    const { store } = fixture;
    const bad = { ...event("Bad"), data: { amount: 10n } };
    const [refused, written] = await Promise.allSettled([
      store.appendToStream(stream("bad"), [bad], { expectedRevision: "no_stream" }),
      store.appendToStream(stream("good"), [event("Good")], { expectedRevision: "no_stream" }),
    ]);
    t.equal(refused.status, "rejected");
    t.type(refused.status === "rejected" && refused.reason, UnserialisableEvent, "a bug of the caller's, not an outage");
    t.equal(written.status, "fulfilled", "the append made at the same moment is written");
    t.same(await store.readStream(stream("bad")), [], "nothing of the refused append is written");
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    await t.rejects(store.appendToStream(stream("cycle"), [{ ...event("Bad"), data: cycle }], { expectedRevision: "any" }), UnserialisableEvent);
  });

  /**
   * A write across streams, or undefined when the store says it cannot make one (a KurrentDB
   * server older than 25.1): then the test checks that nothing was written and stops.
   */
  async function appendAcross(t: Test, appends: StreamAppend[]): Promise<AppendResult[] | undefined> {
    try {
      return await fixture.store.appendToStreams(appends);
    } catch (error) {
      if (!(error instanceof MultiStreamAppendUnsupported)) throw error;
      for (const { stream: name } of appends) t.same(await fixture.store.readStream(name), [], `nothing written to ${name}`);
      t.comment(`this store writes no two streams at once: ${error.message}`);
      return undefined;
    }
  }

  t.test("a write across streams writes every stream, in one piece", async (t) => {
    const { store } = fixture;
    await store.appendToStream(stream("m-existing"), [event("E0")], { expectedRevision: "no_stream" });
    const start = await store.headPosition();
    const first = event("Reserved", { value: "a@example.com" });
    const results = await appendAcross(t, [
      { stream: stream("m-existing"), events: [first], expectedRevision: 0 },
      { stream: stream("m-new"), events: [event("Created", { n: 1 }), event("Updated", { n: 2 })], expectedRevision: "no_stream" },
    ]);
    if (!results) return;
    t.same(results.map((result) => result.revision), [1, 1], "each stream's last revision, in the order given");
    const existing = await store.readStream(stream("m-existing"));
    t.same(existing.map((e) => [e.revision, e.type, e.data]), [
      [0, "E0", {}],
      [1, "Reserved", { value: "a@example.com" }],
    ]);
    t.same(existing[1]!.metadata, first.metadata, "metadata comes back as written");
    t.same((await store.readStream(stream("m-new"))).map((e) => [e.revision, e.type]), [
      [0, "Created"],
      [1, "Updated"],
    ]);
    const log = await store.readAll({ after: start, maxCount: 10, streamPrefixes: [`contract${run}-`] });
    t.same(log.map((e) => e.type), ["Reserved", "Created", "Updated"], "next to each other in the global log");
  });

  t.test("a conflict on one stream of a write across streams writes nothing and names that stream", async (t) => {
    const { store } = fixture;
    await store.appendToStream(stream("x-taken"), [event("E0")], { expectedRevision: "no_stream" });
    const attempt = appendAcross(t, [
      { stream: stream("x-free"), events: [event("Created")], expectedRevision: "no_stream" },
      { stream: stream("x-taken"), events: [event("Reserved")], expectedRevision: "no_stream" },
    ]);
    const error = await attempt.catch((e: unknown) => e);
    if (error === undefined) return;
    t.type(error, WrongExpectedRevision);
    t.match(error, { stream: stream("x-taken"), expected: "no_stream", actual: 0 });
    t.same(await store.readStream(stream("x-free")), [], "the stream that was free stays empty");
    t.same((await store.readStream(stream("x-taken"))).map((e) => e.type), ["E0"]);
  });

  t.test("of many concurrent writes across streams that share one, exactly one wins, whole", async (t) => {
    const { store } = fixture;
    const probe = await appendAcross(t, [
      { stream: stream("r-probe-a"), events: [event("Probe")], expectedRevision: "no_stream" },
      { stream: stream("r-probe-b"), events: [event("Probe")], expectedRevision: "no_stream" },
    ]);
    if (!probe) return;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 32 }, (_, i) =>
        store.appendToStreams([
          { stream: stream("r-shared"), events: [event("Reserved", { i })], expectedRevision: "no_stream" },
          { stream: stream(`r-own-${i}`), events: [event("Created", { i })], expectedRevision: "no_stream" },
        ]),
      ),
    );
    const won = outcomes.flatMap((outcome, i) => (outcome.status === "fulfilled" ? [i] : []));
    t.equal(won.length, 1, "one write wins");
    t.ok(outcomes.every((o) => o.status === "fulfilled" || o.reason instanceof WrongExpectedRevision), "the others lose the race");
    const shared = await store.readStream(stream("r-shared"));
    t.same(shared.map((e) => e.data), [{ i: won[0] }], "the shared stream holds the winner's event");
    for (let i = 0; i < 32; i += 1) {
      t.equal((await store.readStream(stream(`r-own-${i}`))).length, i === won[0] ? 1 : 0, `stream ${i} written only if its write won`);
    }
  });

  t.test("a write across streams that names a stream twice is refused", async (t) => {
    const { store } = fixture;
    await t.rejects(
      store.appendToStreams([
        { stream: stream("twice"), events: [event("A")], expectedRevision: "no_stream" },
        { stream: stream("twice"), events: [event("B")], expectedRevision: "no_stream" },
      ]),
    );
    t.same(await store.readStream(stream("twice")), []);
  });

  t.test("reads the global log in order, after a position, filtered by stream prefix", async (t) => {
    const { store } = fixture;
    const start = await store.headPosition();
    await store.appendToStream(stream("g1"), [event("G1a"), event("G1b")], { expectedRevision: "no_stream" });
    await store.appendToStream(`other${run}-x`, [event("Other")], { expectedRevision: "no_stream" });
    await store.appendToStream(stream("g2"), [event("G2a")], { expectedRevision: "no_stream" });
    const all = await store.readAll({ after: start, maxCount: 100, streamPrefixes: [`contract${run}-`] });
    t.same(all.map((e) => e.type), ["G1a", "G1b", "G2a"]);
    const afterFirst = await store.readAll({ after: all[0]!.position, maxCount: 1, streamPrefixes: [`contract${run}-`] });
    t.same(afterFirst.map((e) => e.type), ["G1b"]);
    const both = await store.readAll({ after: start, maxCount: 100, streamPrefixes: [`contract${run}-`, `other${run}-`] });
    t.same(both.map((e) => e.type), ["G1a", "G1b", "Other", "G2a"]);
    t.equal(await store.headPosition({ streamPrefixes: [`contract${run}-`] }), all[2]!.position);
  });

  t.test("a subscription delivers past events, then new ones, until closed", async (t) => {
    const { store } = fixture;
    const start = await store.headPosition();
    await store.appendToStream(stream("s"), [event("Before")], { expectedRevision: "no_stream" });
    const subscription = store.subscribeToAll({ after: start, streamPrefixes: [`contract${run}-`] });
    const seen: RecordedEvent[] = [];
    const consumed = (async () => {
      for await (const recorded of subscription) {
        seen.push(recorded);
        if (seen.length === 3) break;
      }
    })();
    await store.appendToStream(stream("s"), [event("After1")], { expectedRevision: 0 });
    await store.appendToStream(`other${run}-s`, [event("Filtered")], { expectedRevision: "no_stream" });
    await store.appendToStream(stream("s"), [event("After2")], { expectedRevision: 1 });
    await consumed;
    await subscription.close();
    t.same(seen.map((e) => e.type), ["Before", "After1", "After2"]);
    t.same(seen.map((e) => e.revision), [0, 1, 2]);
  });

  t.test("closing a waiting subscription ends it", async (t) => {
    const subscription = fixture.store.subscribeToAll({ after: await fixture.store.headPosition(), streamPrefixes: [`none${run}-`] });
    const ended = (async () => {
      let count = 0;
      for await (const _ of subscription) count += 1;
      return count;
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await subscription.close();
    t.equal(await ended, 0);
  });
}
