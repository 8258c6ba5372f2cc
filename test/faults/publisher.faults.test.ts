/**
 * The publisher cut off its event store while events keep being written: at start, before
 * its checkpoint can be read, and for PUBLISHER_OUTAGE_MS (30 s by default) in the middle of
 * a stream of writes. It must wait and resume by itself, in the same process, publishing
 * every event exactly once and in order, and say that it is failing while it is. Twice: the
 * embedded SQLite store behind a test outage (test/support/storeOutage.ts), and the KurrentDB
 * adapters over the client stand-in taken down (test/support/kurrentdbStandIn.ts), where
 * the writes made during the outage fail as they would against a real server that is down.
 */
import { join } from "node:path";
import t, { type Test } from "tap";
import { InProcessBus } from "../../shared/bus/inProcess.js";
import type { ConsumedMessage } from "../../shared/bus/port.js";
import { SqliteCheckpointStore } from "../../shared/checkpoints/sqlite.js";
import { customerStreamName } from "../../shared/customers/customer.js";
import { parseEnvelope } from "../../shared/events/envelope.js";
import type { CheckpointStore } from "../../shared/checkpoints/port.js";
import { KurrentDbCheckpointStore } from "../../shared/checkpoints/kurrentdb.js";
import { KurrentDbEventStore } from "../../shared/eventstore/kurrentdb.js";
import type { EventStore, EventToAppend } from "../../shared/eventstore/port.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { silentLogger } from "../../shared/logger.js";
import { Publisher } from "../../shared/publisher/publisher.js";
import { makeDataDir } from "../support/service.js";
import { eventToAppend } from "../support/events.js";
import { KurrentDbStandIn } from "../support/kurrentdbStandIn.js";
import { StoreOutage } from "../support/storeOutage.js";

const OUTAGE_MS = Number(process.env.PUBLISHER_OUTAGE_MS ?? 30_000);
const TOPIC = "customers.events.v1";

const updated = (id: string, n: number): EventToAppend => eventToAppend("CustomerUpdated", { id, changes: { first_name: `n${n}` }, updated_at: new Date().toISOString() });

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Setup {
  /** The publisher's view of the store and its checkpoints, which the outage cuts off. */
  store: EventStore;
  checkpoints: CheckpointStore;
  /** Writes one event; false when the store refused it (down). */
  append(stream: string, event: EventToAppend): Promise<boolean>;
  cut(): void;
  restore(): void;
  cleanup(): Promise<void>;
}

function sqliteSetup(): Setup {
  const data = makeDataDir();
  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  const checkpoints = new SqliteCheckpointStore(join(data.dir, "checkpoints.sqlite"), "publisher");
  const outage = new StoreOutage();
  return {
    store: outage.eventStore(store),
    checkpoints: outage.checkpoints(checkpoints),
    // The writers' own line to the store stays up: events keep arriving during the outage.
    append: async (stream, event) => (await store.appendToStream(stream, [event], { expectedRevision: "any" }), true),
    cut: () => outage.cut(),
    restore: () => outage.restore(),
    async cleanup() {
      await checkpoints.close();
      await store.close();
      data.remove();
    },
  };
}

function kurrentDbSetup(): Setup {
  const standIn = new KurrentDbStandIn();
  const store = new KurrentDbEventStore(() => standIn.client(), { readDeadlineMs: 1000 });
  const checkpoints = new KurrentDbCheckpointStore(() => standIn.client(), "publisher", { readDeadlineMs: 1000 });
  const writer = new KurrentDbEventStore(() => standIn.client(), { readDeadlineMs: 1000 });
  return {
    store,
    checkpoints,
    append: (stream, event) => writer.appendToStream(stream, [event], { expectedRevision: "any" }).then(
      () => true,
      () => false,
    ),
    cut: () => standIn.down(),
    restore: () => standIn.up(),
    async cleanup() {
      await checkpoints.close();
      await store.close();
      await writer.close();
    },
  };
}

for (const [name, setup] of [
  ["the embedded store", sqliteSetup],
  ["KurrentDB (the client stand-in)", kurrentDbSetup],
] as const) {
  t.test(`${name}: the publisher waits out its event store, at start and for ${OUTAGE_MS / 1000} s under writes, and resumes with nothing lost or repeated`, async (t) => {
    const world = setup();
    t.teardown(() => world.cleanup());
    await outageScenario(t, world);
  });
}

async function outageScenario(t: Test, world: Setup): Promise<void> {
  const bus = new InProcessBus();
  const published: ConsumedMessage[] = [];
  const consumer = await bus.subscribe({ topic: TOPIC, groupId: "audit", fromBeginning: true }, async (messages) => void published.push(...messages));
  t.teardown(async () => {
    await consumer.close();
    await bus.close();
  });

  // Written before the publisher starts, while its store cannot be reached.
  const streams = Array.from({ length: 8 }, (_, n) => customerStreamName(`cus_outage${n}`));
  const written: string[] = [];
  let counter = 0;
  const write = async () => {
    const stream = streams[counter % streams.length]!;
    const event = updated(stream, counter);
    counter += 1;
    if (await world.append(stream, event)) written.push(event.metadata.event_id);
  };
  for (let n = 0; n < 40; n += 1) await write();

  world.cut();
  const publisher = new Publisher({
    store: world.store,
    bus,
    checkpoints: world.checkpoints,
    topic: TOPIC,
    streamPrefixes: ["customer-"],
    logger: silentLogger,
    retryDelayMs: 100,
  });
  await publisher.start();
  t.teardown(() => publisher.stop());
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal(published.length, 0, "nothing is published while the store cannot be read");
  t.ok(publisher.followFailure, "and the publisher says it is failing to follow the store");
  world.restore();
  await until(() => published.length === written.length, 15_000, "the events written before the start");
  t.pass(`caught up after the start-up outage (${published.length} events)`);

  // Writes keep coming; the line is cut for the outage, then restored.
  let writing = true;
  const writer = (async () => {
    while (writing) {
      await write();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  world.cut();
  const cutAt = Date.now();
  const publishedAtCut = published.length;
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  t.ok(published.length - publishedAtCut <= 500, "at most the batch in flight goes out once the line is cut");
  t.ok(publisher.followFailure, "the lost subscription is reported");
  world.restore();
  const restoredAt = Date.now();
  // Resumed: every event written so far is out, and so is one written after the store came back.
  const writtenByThen = written.length;
  await until(() => written.length > writtenByThen, 10_000, "a write after the store came back");
  const target = written.length;
  await until(() => published.length >= target, 30_000, "the events written during and after the outage");
  const resumedMs = Date.now() - restoredAt;
  await new Promise((resolve) => setTimeout(resolve, 500));
  writing = false;
  await writer;
  await until(() => published.length >= written.length, 10_000, "the last events written");
  await new Promise((resolve) => setTimeout(resolve, 500));

  const ids = published.map((message) => parseEnvelope(message.value).event_id);
  t.equal(new Set(ids).size, ids.length, "no event is published twice");
  t.same([...ids].sort(), [...written].sort(), "every written event is published");
  for (const stream of streams) {
    const revisions = published.map((message) => parseEnvelope(message.value)).filter((envelope) => envelope.stream === stream).map((envelope) => envelope.stream_revision);
    t.same(revisions, revisions.map((_, index) => index), `${stream}: in order, none skipped`);
  }
  t.equal(publisher.followFailure, undefined, `the failure is cleared once following works again (${publisher.followFailure?.message ?? "none"})`);
  console.error(
    `fault: publisher cut off its event store for ${Math.round((restoredAt - cutAt) / 1000)} s under writes | events written ${written.length}, published ${ids.length}, ` +
      `duplicates ${ids.length - new Set(ids).size} | publishing again ${resumedMs} ms after the store came back`,
  );
}
