/**
 * The publisher cut off its event store (the embedded SQLite store behind a test outage,
 * test/support/storeOutage.ts) while events keep being written: at start, before its
 * checkpoint can be read, and for PUBLISHER_OUTAGE_MS (30 s by default) in the middle of a
 * stream of writes. It must wait and resume by itself, in the same process, publishing
 * every event exactly once and in order, and say that it is failing while it is.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import t from "tap";
import { InProcessBus } from "../../shared/bus/inProcess.js";
import type { ConsumedMessage } from "../../shared/bus/port.js";
import { SqliteCheckpointStore } from "../../shared/checkpoints/sqlite.js";
import { customerStreamName } from "../../shared/customers/customer.js";
import { parseEnvelope } from "../../shared/events/envelope.js";
import type { EventToAppend } from "../../shared/eventstore/port.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { silentLogger } from "../../shared/logger.js";
import { Publisher } from "../../shared/publisher/publisher.js";
import { makeDataDir } from "../support/service.js";
import { StoreOutage } from "../support/storeOutage.js";

const OUTAGE_MS = Number(process.env.PUBLISHER_OUTAGE_MS ?? 30_000);
const TOPIC = "customers.events.v1";

const updated = (id: string, n: number): EventToAppend => ({
  type: "CustomerUpdated",
  data: { id, changes: { first_name: `n${n}` }, updated_at: new Date().toISOString() },
  metadata: {
    event_id: randomUUID(),
    schema_version: 1,
    occurred_at: new Date().toISOString(),
    correlation_id: "c",
    causation_id: "c",
    actor: { id: "user_1", type: "user" },
  },
});

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

t.test(`the publisher waits out its event store, at start and for ${OUTAGE_MS / 1000} s under writes, and resumes with nothing lost or repeated`, async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  const checkpoints = new SqliteCheckpointStore(join(data.dir, "checkpoints.sqlite"), "publisher");
  t.teardown(async () => {
    await checkpoints.close();
    await store.close();
  });
  const outage = new StoreOutage();
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
    await store.appendToStream(stream, [event], { expectedRevision: "any" });
    written.push(event.metadata.event_id);
  };
  for (let n = 0; n < 40; n += 1) await write();

  outage.cut();
  const publisher = new Publisher({
    store: outage.eventStore(store),
    bus,
    checkpoints: outage.checkpoints(checkpoints),
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
  outage.restore();
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
  outage.cut();
  const cutAt = Date.now();
  const publishedAtCut = published.length;
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  t.ok(published.length - publishedAtCut <= 500, "at most the batch in flight goes out once the line is cut");
  t.ok(publisher.followFailure, "the lost subscription is reported");
  outage.restore();
  const restoredAt = Date.now();
  const writtenByThen = written.length;
  await until(() => published.length >= writtenByThen, 30_000, "every event written during the outage");
  const resumedMs = Date.now() - restoredAt;
  writing = false;
  await writer;
  await until(() => published.length >= written.length, 10_000, "the events written after it");
  await new Promise((resolve) => setTimeout(resolve, 500));

  const ids = published.map((message) => parseEnvelope(message.value).event_id);
  t.equal(new Set(ids).size, ids.length, "no event is published twice");
  t.same([...ids].sort(), [...written].sort(), "every written event is published");
  for (const stream of streams) {
    const revisions = published.map((message) => parseEnvelope(message.value)).filter((envelope) => envelope.stream === stream).map((envelope) => envelope.stream_revision);
    t.same(revisions, revisions.map((_, index) => index), `${stream}: in order, none skipped`);
  }
  t.equal(publisher.followFailure, undefined, "the failure is cleared once following works again");
  console.error(
    `fault: publisher cut off its event store for ${Math.round((restoredAt - cutAt) / 1000)} s under writes | events written ${written.length}, published ${ids.length}, ` +
      `duplicates ${ids.length - new Set(ids).size} | caught up ${resumedMs} ms after the store came back`,
  );
});
