/**
 * Store -> publisher -> bus -> projector -> read model, on the embedded adapters.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { InProcessBus } from "../../shared/bus/inProcess.js";
import type { ConsumedMessage } from "../../shared/bus/port.js";
import { type CustomerEvent, customerStreamName } from "../../shared/customers/customer.js";
import { HEADER, parseEnvelope } from "../../shared/events/envelope.js";
import type { EventToAppend } from "../../shared/eventstore/port.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { silentLogger } from "../../shared/logger.js";
import { InMemoryCheckpointStore } from "../../shared/checkpoints/inMemory.js";
import { Publisher } from "../../shared/publisher/publisher.js";
import { InMemoryReadModel } from "../../shared/readmodel/inMemory.js";
import { Projector } from "../../shared/readmodel/projector.js";

const dir = mkdtempSync(join(tmpdir(), "pipeline-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const TOPIC = "customers.events.v1";

const created = (id: string, email: string): EventToAppend => {
  const event: CustomerEvent = {
    type: "CustomerCreated",
    data: {
      id,
      email,
      company_name: null,
      first_name: null,
      last_name: null,
      phone: null,
      metadata: null,
      has_account: false,
      created_by: "user_1",
      created_at: "2026-01-01T00:00:00.000Z",
    },
  };
  return {
    ...event,
    metadata: {
      event_id: randomUUID(),
      schema_version: 1,
      occurred_at: "2026-01-01T00:00:00.000Z",
      correlation_id: "req-1",
      causation_id: "cmd-1",
      actor: { id: "user_1", type: "user" },
    },
  };
};

async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

t.test("the publisher sends customer events keyed by customer id, with the documented headers", async (t) => {
  const store = new SqliteEventStore(join(dir, `${randomUUID()}.sqlite`));
  const bus = new InProcessBus();
  await store.appendToStream(customerStreamName("cus_A"), [created("cus_A", "a@x.com")], { expectedRevision: "no_stream" });
  await store.appendToStream("customer_email-xyz", [{ ...created("cus_A", "a@x.com"), type: "CustomerEmailReserved" }], {
    expectedRevision: "no_stream",
  });
  const checkpoints = new InMemoryCheckpointStore();
  const publisher = new Publisher({ store, bus, checkpoints, topic: TOPIC, streamPrefixes: ["customer-"], logger: silentLogger });
  const seen: ConsumedMessage[] = [];
  const subscription = await bus.subscribe({ topic: TOPIC, groupId: "test", fromBeginning: true }, async (m) => void seen.push(...m));
  await publisher.start();
  await store.appendToStream(customerStreamName("cus_B"), [created("cus_B", "b@x.com")], { expectedRevision: "no_stream" });
  await waitFor(() => seen.length === 2);

  t.same(seen.map((m) => m.key), ["cus_A", "cus_B"], "reservation streams are not published");
  const [first] = seen;
  const envelope = parseEnvelope(first!.value);
  t.match(envelope, {
    type: "CustomerCreated",
    schema_version: 1,
    stream: "customer-cus_A",
    stream_revision: 0,
    correlation_id: "req-1",
    causation_id: "cmd-1",
    actor: { id: "user_1", type: "user" },
    data: { id: "cus_A", email: "a@x.com" },
  });
  t.same(first!.headers, {
    ce_specversion: "1.0",
    ce_id: envelope.event_id,
    ce_source: "urn:medusa-customers",
    ce_type: "CustomerCreated",
    ce_subject: envelope.stream,
    ce_time: envelope.occurred_at,
    ce_dataschema: "urn:medusa-customers:events:CustomerCreated:v1",
    "content-type": "application/json",
    [HEADER.eventId]: envelope.event_id,
    [HEADER.eventType]: "CustomerCreated",
    [HEADER.schemaVersion]: "1",
    [HEADER.streamRevision]: "0",
  });
  await waitFor(async () => (await checkpoints.load()) === envelope.position || (await checkpoints.load()) !== undefined);
  await publisher.stop();
  await subscription.close();

  // Restarting from the saved checkpoint publishes nothing twice.
  const again: ConsumedMessage[] = [];
  const second = new Publisher({ store, bus, checkpoints, topic: TOPIC, streamPrefixes: ["customer-"], logger: silentLogger });
  const subscription2 = await bus.subscribe({ topic: TOPIC, groupId: "again", fromBeginning: false }, async (m) => void again.push(...m));
  await second.start();
  await store.appendToStream(customerStreamName("cus_C"), [created("cus_C", "c@x.com")], { expectedRevision: "no_stream" });
  await waitFor(() => again.length >= 1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.same(again.map((m) => m.key), ["cus_C"]);
  await second.stop();
  await subscription2.close();
  await bus.close();
  await store.close();
});

t.test("the projector builds the document and ignores duplicates and replays", async (t) => {
  const bus = new InProcessBus();
  const readModel = new InMemoryReadModel();
  const store = new SqliteEventStore(join(dir, `${randomUUID()}.sqlite`));
  await store.appendToStream(customerStreamName("cus_A"), [created("cus_A", "a@x.com")], { expectedRevision: "no_stream" });
  const projector = new Projector({ bus, readModel, topic: TOPIC, groupId: "rm", logger: silentLogger });
  const publish = async () => {
    const publisher = new Publisher({
      store,
      bus,
      checkpoints: new InMemoryCheckpointStore(),
      topic: TOPIC,
      streamPrefixes: ["customer-"],
      logger: silentLogger,
    });
    const head = (await store.headPosition())!;
    const done = projector.caughtUpTo(head);
    await publisher.start();
    await done;
    await publisher.stop();
  };
  await projector.start();
  await publish();
  const first = await readModel.customers.get("cus_A");
  t.match(first, { id: "cus_A", email: "a@x.com", revision: 0, updated_at: "2026-01-01T00:00:00.000Z", deleted_at: null, addresses: [], group_ids: [] });

  await publish(); // the whole log again, as after a publisher crash before its checkpoint
  t.equal(await readModel.customers.get("cus_A"), first, "a replayed event leaves the very same document");

  await bus.publish(TOPIC, [{ key: "x", headers: {}, value: "not an envelope" }]);
  await store.appendToStream(customerStreamName("cus_B"), [created("cus_B", "b@x.com")], { expectedRevision: "no_stream" });
  await publish();
  t.ok(await readModel.customers.get("cus_B"), "a malformed message is skipped, not a blocker");
  await projector.stop();
  await bus.close();
  await store.close();
});
