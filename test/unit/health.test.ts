/**
 * What the roles' GET /health concludes from what they observe: progress against waiting
 * work, group membership, ongoing failures; and how the health endpoint answers.
 */
import t from "tap";
import type { BusSubscription, GroupOffsets, MessageBus, SubscriptionStatus } from "../../shared/bus/port.js";
import type { EventStore, RecordedEvent } from "../../shared/eventstore/port.js";
import { watchConsumer } from "../../shared/health/consumerHealth.js";
import { ProgressWatch } from "../../shared/health/progressWatch.js";
import { watchPublisher } from "../../shared/health/publisherHealth.js";
import { type HealthCheck, type OngoingFailure, combinedHealth } from "../../shared/health/report.js";
import type { Publisher } from "../../shared/publisher/publisher.js";
import { startHealthServer } from "../../shared/runtime/health.js";
import { freePort } from "../../shared/runtime/roleProcess.js";

const AFTER = 20_000;
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

t.test("ProgressWatch: work waiting with no progress is a stall, measured from the last move", async (t) => {
  const watch = new ProgressWatch();
  watch.observe("5", false, 1_000);
  t.equal(watch.stalledFor(60_000), 0, "nothing waiting: never stalled");
  watch.observe("5", true, 2_000);
  t.equal(watch.stalledFor(12_000), 10_000, "waiting since 2 s with the marker still");
  watch.observe("5", true, 12_000);
  t.equal(watch.stalledFor(32_000), 30_000, "still the same marker: the stall keeps growing");
  watch.observe("9", true, 33_000);
  t.equal(watch.stalledFor(34_000), 1_000, "progress restarts the count");
  watch.observe("9", false, 40_000);
  t.equal(watch.stalledFor(90_000), 0, "caught up: no stall");
});

/** A bus whose group offsets the test sets; only what the consumer health reads. */
function fakeBus(offsets: () => GroupOffsets | Error): MessageBus {
  return {
    groupOffsets: async () => {
      const value = offsets();
      if (value instanceof Error) throw value;
      return value;
    },
  } as unknown as MessageBus;
}

function consumerUnderWatch(state: { offsets: GroupOffsets | Error; status: SubscriptionStatus; failure?: OngoingFailure; now: number }) {
  const subscription: BusSubscription = { status: () => state.status, close: async () => {} };
  const watch = watchConsumer({
    bus: fakeBus(() => state.offsets),
    topic: "events",
    groupId: "projectors",
    subscription: () => subscription,
    handlerFailure: () => state.failure,
    unhealthyAfterMs: AFTER,
    sampleEveryMs: 5,
    now: () => state.now,
  });
  t.teardown(() => watch.stop());
  return watch;
}

t.test("a consumer is healthy while it keeps up, even while it has work", async (t) => {
  const state = { offsets: { lag: 3, committed: 10 }, status: { member: true, since: 0, restarts: 0 }, now: 0 };
  const watch = consumerUnderWatch(state);
  await settle();
  state.now = 15_000;
  state.offsets = { lag: 2, committed: 11 };
  await settle();
  state.now = 30_000;
  await settle();
  t.match(watch.check(), { status: "ok", reasons: [], details: { group: "projectors", member: true, lag: 2 } });
});

t.test("a consumer with work waiting and its committed offsets still is unhealthy, with the reason", async (t) => {
  const state = { offsets: { lag: 7, committed: 10 }, status: { member: true, since: 0, restarts: 0 }, now: 0 };
  const watch = consumerUnderWatch(state);
  await settle();
  state.now = AFTER - 1;
  await settle();
  t.equal(watch.check().status, "ok", "not yet: below the threshold");
  state.now = AFTER + 5_000;
  await settle();
  t.match(watch.check(), { status: "unhealthy", reasons: ["7 messages waiting on events and none consumed for 25 s"] });
  state.offsets = { lag: 0, committed: 17 };
  await settle();
  t.equal(watch.check().status, "ok", "healthy again once it catches up");
});

t.test("a consumer out of its group, or failing, or unable to read its offsets, says so once it has lasted", async (t) => {
  const state: { offsets: GroupOffsets | Error; status: SubscriptionStatus; failure?: OngoingFailure; now: number } = {
    offsets: { lag: 0, committed: 10 },
    status: { member: false, since: 1_000, lastError: "The coordinator is not aware of this member", restarts: 2 },
    failure: { since: 5_000, message: "The read model is unavailable: connection timed out" },
    now: 1_000,
  };
  const watch = consumerUnderWatch(state);
  await settle();
  state.offsets = new Error("connect ECONNREFUSED");
  await settle();
  t.equal(watch.check().status, "ok", "every problem is young");
  state.now = 40_000;
  await settle();
  const report = watch.check();
  t.equal(report.status, "unhealthy");
  t.same(report.reasons, [
    "not a member of consumer group projectors for 39 s (last error: The coordinator is not aware of this member)",
    "handling messages has been failing for 35 s: The read model is unavailable: connection timed out",
    "the offsets of group projectors could not be read from Kafka for 39 s: connect ECONNREFUSED",
  ]);
  t.match(report.details, { member: false, restarts: 2 });
});

t.test("the publisher is unhealthy when events wait past its position and it does not move", async (t) => {
  const publisher = { position: "40" as string | undefined, publishFailure: undefined as OngoingFailure | undefined, followFailure: undefined };
  let pending: RecordedEvent[] = [{ position: "41" } as RecordedEvent];
  const store = { readAll: async () => pending } as unknown as EventStore;
  let now = 0;
  const watch = watchPublisher({ store, publisher: publisher as unknown as Publisher, streamPrefixes: ["customer-"], unhealthyAfterMs: AFTER, sampleEveryMs: 5, now: () => now });
  t.teardown(() => watch.stop());
  await settle();
  now = AFTER + 1_000;
  publisher.publishFailure = { since: 0, message: "Connection error: connect ECONNREFUSED 127.0.0.1:9092" };
  await settle();
  t.same(watch.check().reasons, [
    "events wait in the event store after position 40 and none were published for 21 s",
    "publishing to the bus has been failing for 21 s: Connection error: connect ECONNREFUSED 127.0.0.1:9092",
  ]);
  publisher.position = "41";
  publisher.publishFailure = undefined;
  pending = [];
  await settle();
  t.match(watch.check(), { status: "ok", details: { published_up_to: "41", behind: false } });
});

t.test("the publisher is unhealthy when the store holds events back for long, and says what holds them", async (t) => {
  const publisher = { position: "7/40" as string | undefined, publishFailure: undefined, followFailure: undefined };
  let heldBy: string | undefined = "committed events wait behind a transaction running since 2026-01-01T00:00:00.000Z (PID 42, program \"psql\")";
  // Nothing readable past the position, but committed events wait behind another transaction.
  const store = { readAll: async () => [], heldBack: async () => (heldBy ? { reason: heldBy } : undefined) } as unknown as EventStore;
  let now = 0;
  const watch = watchPublisher({ store, publisher: publisher as unknown as Publisher, streamPrefixes: ["customer-"], unhealthyAfterMs: AFTER, sampleEveryMs: 5, now: () => now });
  t.teardown(() => watch.stop());
  await settle();
  t.match(watch.check(), { status: "ok", details: { behind: true, held_back_by: heldBy } }, "waiting, not yet for long");
  now = AFTER + 1_000;
  await settle();
  t.same(watch.check().reasons, [`events wait in the event store after position 7/40 and none were published for 21 s: ${heldBy}`]);
  heldBy = undefined;
  await settle();
  t.match(watch.check(), { status: "ok", details: { behind: false } }, "healthy once nothing is held back");
});

t.test("the health endpoint answers 200 when ok and 503 with the reasons when unhealthy", async (t) => {
  let report = { status: "ok" as "ok" | "unhealthy", reasons: [] as string[], details: { lag: 0 } };
  const port = await freePort();
  const server = await startHealthServer(port, "127.0.0.1", "projector", () => report);
  t.teardown(() => server.close());
  const healthy = await fetch(`http://127.0.0.1:${port}/health`);
  t.equal(healthy.status, 200);
  t.same(await healthy.json(), { status: "ok", role: "projector", reasons: [], lag: 0 });
  report = { status: "unhealthy", reasons: ["not a member of consumer group g for 30 s"], details: { lag: 5 } };
  const unhealthy = await fetch(`http://127.0.0.1:${port}/health`);
  t.equal(unhealthy.status, 503);
  t.same(await unhealthy.json(), { status: "unhealthy", role: "projector", reasons: ["not a member of consumer group g for 30 s"], lag: 5 });
  t.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
});

t.test("a role running one publisher per topic reports the worst status, each reason and figure under its topic", async (t) => {
  const ok: HealthCheck = () => ({ status: "ok", reasons: [], details: { published_up_to: "9" } });
  const stuck: HealthCheck = () => ({ status: "unhealthy", reasons: ["publishing to the bus has been failing for 40 s: down"], details: { published_up_to: "3" } });
  t.equal(combinedHealth([{ topic: "events", check: ok }]), ok, "one topic: its own report, as before");
  t.same(combinedHealth([{ topic: "events", check: ok }, { topic: "medusa", check: stuck }])(), {
    status: "unhealthy",
    reasons: ["medusa: publishing to the bus has been failing for 40 s: down"],
    details: { events: { published_up_to: "9" }, medusa: { published_up_to: "3" } },
  });
  t.equal(combinedHealth([{ topic: "events", check: ok }, { topic: "medusa", check: ok }])().status, "ok");
});
