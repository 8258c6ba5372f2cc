import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import t from "tap";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { EventStoreUnavailable } from "../../shared/eventstore/port.js";
import { ThreadedEventWriter } from "../../shared/eventstore/sqliteEventWriter.js";
import { eventToAppend } from "../support/events.js";
import { eventStoreContract } from "./eventStore.contract.js";

const dir = mkdtempSync(join(tmpdir(), "es-sqlite-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test("commits on the store's own connection", async (t) => {
  eventStoreContract(t, async () => {
    const store = new SqliteEventStore(join(dir, `${randomUUID()}.sqlite`));
    return { store, cleanup: () => store.close() };
  });
});

t.test("commits on a writer thread", async (t) => {
  // One store for the suite (its streams are named per test): a thread per test would only add start-up time.
  const store = new SqliteEventStore(join(dir, "threaded.sqlite"), { writerThread: true });
  t.teardown(() => store.close());
  eventStoreContract(t, async () => ({ store, cleanup: async () => undefined }));
});

t.test("with a writer thread, appends accepted before close are on disk after it", async (t) => {
  const file = join(dir, "threaded-close.sqlite");
  const store = new SqliteEventStore(file, { writerThread: true });
  const appends = Array.from({ length: 50 }, (_, i) => store.appendToStream(`s-${i}`, [eventToAppend("Kept", { i })], { expectedRevision: "no_stream" }));
  await store.close();
  t.equal((await Promise.allSettled(appends)).filter((outcome) => outcome.status === "fulfilled").length, 50, "every append was answered as written");
  const reopened = new SqliteEventStore(file);
  t.teardown(() => reopened.close());
  t.equal((await reopened.readAll({ maxCount: 100 })).length, 50);
});

t.test("a writer thread that cannot open the file fails the batch as unavailable; the next commit starts another", async (t) => {
  const file = join(dir, "threaded-later.sqlite");
  const writer = new ThreadedEventWriter(file);
  t.teardown(() => writer.close());
  const write = [[{ stream: "s-1", events: [], expectedRevision: "any" as const }]];
  await t.rejects(writer.commit(write, new Date().toISOString()), EventStoreUnavailable);
  const store = new SqliteEventStore(file);
  t.teardown(() => store.close());
  t.same(await writer.commit(write, new Date().toISOString()), [{ results: [{ revision: -1, position: "0" }] }]);
});

t.test("events survive closing and reopening the file", async (t) => {
  const file = join(dir, "durable.sqlite");
  const first = new SqliteEventStore(file);
  const metadata = { event_id: randomUUID(), schema_version: 1, occurred_at: "x", correlation_id: "c", causation_id: "c", actor: { id: "u", type: "user" } };
  await first.appendToStream("s-1", [{ type: "Kept", data: { a: 1 }, metadata }], { expectedRevision: "no_stream" });
  await first.close();
  const second = new SqliteEventStore(file);
  t.same((await second.readStream("s-1")).map((e) => [e.type, e.data]), [["Kept", { a: 1 }]]);
  await t.rejects(second.appendToStream("s-1", [{ type: "Again", data: {}, metadata }], { expectedRevision: "no_stream" }));
  await second.close();
});

t.test("appends after close are refused, not lost silently", async (t) => {
  const store = new SqliteEventStore(join(dir, "closed.sqlite"));
  await store.close();
  await t.rejects(store.appendToStream("s", [], { expectedRevision: "any" }), { name: "EventStoreUnavailable" });
});

t.test("a store following the file sees another connection's append as the file system reports it, without waiting for its timer", async (t) => {
  const file = join(dir, "followed.sqlite");
  const writer = new SqliteEventStore(file);
  const follower = new SqliteEventStore(file, { watchForOtherWriters: true, otherWritersCheckMs: 60_000 });
  t.teardown(async () => {
    await follower.close();
    await writer.close();
  });
  const subscription = follower.subscribeToAll({});
  const first = subscription[Symbol.asyncIterator]().next();
  // The subscription is waiting once its first read found nothing.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const appendedAt = Date.now();
  await writer.appendToStream("s-followed", [eventToAppend("Seen")], { expectedRevision: "no_stream" });
  const delivered = await Promise.race([first, new Promise<"late">((resolve) => setTimeout(() => resolve("late"), 5_000))]);
  t.not(delivered, "late", "delivered long before the 60 s timer");
  t.equal(delivered !== "late" && delivered.value?.type, "Seen");
  t.ok(Date.now() - appendedAt < 1_000, `delivered after ${Date.now() - appendedAt} ms`);
  await subscription.close();
});

t.test("a store that follows other writers wakes a subscription opened later too, and checks nothing while none is open", async (t) => {
  const file = join(dir, "followed-later.sqlite");
  const writer = new SqliteEventStore(file);
  // The timer alone (no file-system notice is needed to pass): a subscription must not wait for this store's own next append.
  const follower = new SqliteEventStore(file, { watchForOtherWriters: true, otherWritersCheckMs: 5 });
  t.teardown(async () => {
    await follower.close();
    await writer.close();
  });
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
  const idle = timers();
  for (let round = 1; round <= 2; round++) {
    const subscription = follower.subscribeToAll({});
    const events = subscription[Symbol.asyncIterator]();
    t.ok(timers() > idle, `round ${round}: checking while subscribed`);
    for (let seen = 1; seen < round; seen++) await events.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await writer.appendToStream(`s-later-${round}`, [eventToAppend("Seen")], { expectedRevision: "no_stream" });
    let late: NodeJS.Timeout | undefined;
    const delivered = await Promise.race([events.next(), new Promise<"late">((resolve) => (late = setTimeout(() => resolve("late"), 5_000)))]);
    clearTimeout(late);
    t.equal(delivered !== "late" && delivered.value?.stream, `s-later-${round}`, `round ${round}: another connection's append is delivered`);
    await subscription.close();
    t.equal(timers(), idle, `round ${round}: no check once the subscription is closed`);
  }
});
