/**
 * The KurrentDB adapters against a STAND-IN for the client (test/support/kurrentdbStandIn.ts,
 * which says what it can and cannot prove): the event store contract, then each failure the
 * real client is known to produce. Nothing here verifies the adapters against a real server;
 * the contract suite with KURRENTDB_URL set does that.
 */
import t from "tap";
import { AccessDeniedError, MaxAppendSizeExceededError, UnavailableError } from "@kurrent/kurrentdb-client";
import { KurrentDbCheckpointStore } from "../../shared/checkpoints/kurrentdb.js";
import { UnserialisableEvent } from "../../shared/eventstore/eventJson.js";
import { KurrentDbEventStore, defaultDeadlineOf } from "../../shared/eventstore/kurrentdb.js";
import { toStoreError } from "../../shared/eventstore/kurrentdbErrors.js";
import {
  EventStoreMisconfigured,
  EventStoreUnavailable,
  EventTooLarge,
  MultiStreamAppendUnsupported,
  StreamDeleted,
  WrongExpectedRevision,
} from "../../shared/eventstore/port.js";
import { eventToAppend } from "../support/events.js";
import { KurrentDbStandIn } from "../support/kurrentdbStandIn.js";
import { eventStoreContract } from "./eventStore.contract.js";

t.test("the event store contract, over the client stand-in", async (t) => {
  const standIn = new KurrentDbStandIn();
  eventStoreContract(t, async () => {
    const store = new KurrentDbEventStore(() => standIn.client());
    return { store, cleanup: () => store.close() };
  });
});

const event = (type = "CustomerUpdated", data: Record<string, unknown> = { id: "cus_1" }) => eventToAppend(type, data);

t.test("data JSON cannot hold is refused before the client sees it (the client would never settle)", async (t) => {
  const standIn = new KurrentDbStandIn();
  const store = new KurrentDbEventStore(() => standIn.client());
  t.teardown(() => store.close());
  const started = Date.now();
  await t.rejects(store.appendToStream("customer-1", [event("CustomerUpdated", { n: 1n })], { expectedRevision: "any" }), UnserialisableEvent);
  t.ok(Date.now() - started < 1000, "at once");
  t.equal(standIn.events.length, 0);
});

t.test("a conflict reports the stream's actual revision, also with throwOnAppendFailure=false", async (t) => {
  const standIn = new KurrentDbStandIn();
  const store = new KurrentDbEventStore(() => standIn.client());
  t.teardown(() => store.close());
  for (let n = 0; n < 5; n += 1) await store.appendToStream("customer-1", [event()], { expectedRevision: "any" });
  standIn.throwOnAppendFailure = false;
  const conflict = await store.appendToStream("customer-1", [event()], { expectedRevision: 2 }).catch((error: unknown) => error);
  t.type(conflict, WrongExpectedRevision);
  t.match(conflict, { expected: 2, actual: 4 }, "the stream is at 4, whatever the client's result says");
  const missing = await store.appendToStream("customer-2", [event()], { expectedRevision: 0 }).catch((error: unknown) => error);
  t.match(missing, { name: "WrongExpectedRevision", actual: "no_stream" });
});

t.test("failures are told apart: deleted, too large, refused as configured, unavailable", async (t) => {
  const standIn = new KurrentDbStandIn();
  const store = new KurrentDbEventStore(() => standIn.client());
  t.teardown(() => store.close());
  standIn.tombstoned.add("customer-gone");
  await t.rejects(store.appendToStream("customer-gone", [event()], { expectedRevision: "any" }), StreamDeleted, "a write to a deleted stream");
  t.same(await store.readStream("customer-gone"), [], "a deleted stream reads as empty, as the port says of a missing one");

  t.type(toStoreError(MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576), "customer-1"), EventTooLarge);
  const denied = toStoreError(new AccessDeniedError());
  t.type(denied, EventStoreMisconfigured, "access denied is not an outage");
  t.match((denied as Error).message, /KURRENTDB_URL/, "and says what to check");
  const tls = toStoreError(Object.assign(new UnavailableError(), { message: "14 UNAVAILABLE: SSL routines:ssl3_get_record:wrong version number" }));
  t.type(tls, EventStoreMisconfigured, "a TLS mismatch");
  t.match((tls as Error).message, /tls=/);
  t.type(toStoreError(new UnavailableError()), EventStoreUnavailable, "an unreachable server is worth retrying");
});

t.test("reads that get no answer fail within the deadline instead of hanging", async (t) => {
  const standIn = new KurrentDbStandIn();
  const store = new KurrentDbEventStore(() => standIn.client(), { readDeadlineMs: 300 });
  const checkpoints = new KurrentDbCheckpointStore(() => standIn.client(), "stalled", { readDeadlineMs: 300 });
  t.teardown(async () => {
    await store.close();
    await checkpoints.close();
  });
  await store.appendToStream("customer-1", [event()], { expectedRevision: "any" });
  standIn.stall();
  for (const [name, read] of [
    ["readStream", () => store.readStream("customer-1")],
    ["readAll", () => store.readAll({ maxCount: 10 })],
    ["headPosition", () => store.headPosition()],
    ["checkpoint load", () => checkpoints.load()],
  ] as const) {
    const started = Date.now();
    await t.rejects((read as () => Promise<unknown>)(), EventStoreUnavailable, name);
    t.ok(Date.now() - started < 2000, `${name} gives up within the deadline (${Date.now() - started} ms)`);
  }
  t.equal(defaultDeadlineOf("kurrentdb://h:2113?tls=false&defaultDeadline=2500"), 2500, "by default, the connection string's deadline");
  t.equal(defaultDeadlineOf("kurrentdb://h:2113"), 10_000);
});

t.test("a client stuck on a failed capability check is replaced, and appends work again", async (t) => {
  const standIn = new KurrentDbStandIn();
  standIn.poisonNextClient = true;
  const store = new KurrentDbEventStore(() => standIn.client());
  t.teardown(() => store.close());
  const outcomes: string[] = [];
  const deadline = Date.now() + 25_000;
  for (;;) {
    const result = await store.appendToStream("customer-1", [event()], { expectedRevision: "any" }).then(
      () => "written",
      (error: unknown) => (error instanceof EventStoreUnavailable ? "unavailable" : String(error)),
    );
    outcomes.push(result);
    if (result === "written" || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  t.equal(outcomes.at(-1), "written", `appends recover by themselves (${outcomes.join(", ")})`);
  t.ok(outcomes.slice(0, -1).every((outcome) => outcome === "unavailable"), "until then they answer unavailable, never another error");
  t.equal(store.clientReplacements, 1, "one new client");
  t.equal(standIn.events.length, 1, "the write that succeeded is stored once");
});

t.test("a checkpoint only moves forward: a lagging second publisher cannot move it back", async (t) => {
  const standIn = new KurrentDbStandIn();
  const ahead = new KurrentDbCheckpointStore(() => standIn.client(), "publisher");
  const lagging = new KurrentDbCheckpointStore(() => standIn.client(), "publisher");
  t.teardown(async () => {
    await ahead.close();
    await lagging.close();
  });
  t.equal(await lagging.load(), undefined);
  await ahead.save("100/100");
  await ahead.save("500/500");
  await lagging.save("300/300");
  t.equal(await ahead.load(), "500/500", "the stored checkpoint is still the furthest");
  await lagging.save("700/700");
  t.equal(await ahead.load(), "700/700", "a position past it is saved");
  t.notOk(
    (await new KurrentDbEventStore(() => standIn.client()).readAll({ maxCount: 100 })).some((recorded) => recorded.stream.startsWith("customers_checkpoint-")),
    "checkpoints are not part of the log the adapter reads",
  );
});

t.test("a write across streams: string properties as metadata, read back in the port's shape; refused whole by an older server", async (t) => {
  const standIn = new KurrentDbStandIn();
  const store = new KurrentDbEventStore(() => standIn.client());
  t.teardown(() => store.close());
  const reserved = event("EmailReserved", { email: "a@example.com" });
  await store.appendToStreams([
    { stream: "customer_email-1", events: [reserved], expectedRevision: "no_stream" },
    { stream: "customer-1", events: [event("CustomerCreated")], expectedRevision: "no_stream" },
  ]);
  const stored = standIn.events[0]!.metadata as Record<string, unknown>;
  t.ok(Object.values(stored).every((value) => typeof value === "string"), "the server was given strings only");
  t.match(stored, { "actor.id": "user_1", schema_version: "1", "$schema.name": "EmailReserved" });
  const [read] = await store.readStream("customer_email-1");
  t.same(read!.metadata, reserved.metadata, "read back as the port's metadata");

  standIn.withoutMultiStreamAppend = true;
  await t.rejects(
    store.appendToStreams([
      { stream: "customer_email-2", events: [event("EmailReserved")], expectedRevision: "no_stream" },
      { stream: "customer-2", events: [event("CustomerCreated")], expectedRevision: "no_stream" },
    ]),
    MultiStreamAppendUnsupported,
  );
  t.equal(standIn.events.length, 2, "nothing more written");
  await store.appendToStreams([{ stream: "customer-2", events: [event("CustomerCreated")], expectedRevision: "no_stream" }]);
  t.equal(standIn.events.length, 3, "one stream alone is an ordinary append, which every server takes");
});
