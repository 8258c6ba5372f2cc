/**
 * The PostgreSQL event store against a real server (POSTGRES_URL; CI starts one with
 * scripts/servers/postgres.sh): the shared contract, then what only this adapter has to
 * prove: no reader skips an event that commits late, followers wake on NOTIFY and without
 * it, the schema's version table, and an unreachable server failing promptly as unavailable.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import t from "tap";
import { EventStoreUnavailable, type RecordedEvent } from "../../shared/eventstore/port.js";
import { PostgresEventStore, type PostgresEventStoreOptions } from "../../shared/eventstore/postgres.js";
import { comparePositions } from "../../shared/eventstore/positions.js";
import { EVENT_STORE_MIGRATIONS } from "../../shared/eventstore/postgresTables.js";
import { migrate } from "../../shared/postgres/schema.js";
import { eventToAppend } from "../support/events.js";
import { postgresUrl, requireServers } from "../support/cluster.js";
import { eventStoreContract } from "./eventStore.contract.js";

t.test("an unreachable server fails appends and reads promptly, as unavailable", async (t) => {
  const store = new PostgresEventStore("postgres://postgres@127.0.0.1:1/none", { timeoutMs: 1_000 });
  t.teardown(() => store.close());
  const started = Date.now();
  await t.rejects(store.appendToStream("s-1", [eventToAppend("Lost")], { expectedRevision: "any" }), EventStoreUnavailable);
  await t.rejects(store.readAll({ maxCount: 1 }), EventStoreUnavailable);
  await t.rejects(store.readStream("s-1"), EventStoreUnavailable);
  t.ok(Date.now() - started < 10_000, `within 10 s (took ${Date.now() - started} ms)`);
});

if (requireServers(t, "PostgreSQL event store contract suite", ["postgres"])) {
  const schemas: string[] = [];
  const admin = new pg.Pool({ connectionString: postgresUrl, max: 4 });
  t.teardown(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
  const open = (options: PostgresEventStoreOptions = {}) => {
    const schema = options.schema ?? `test_${randomBytes(6).toString("hex")}`;
    schemas.push(schema);
    return new PostgresEventStore(postgresUrl, { ...options, schema });
  };

  t.test("the event store contract", async (t) => {
    // One schema for the suite (its streams are named per test), as one service's would be.
    const store = open();
    t.teardown(() => store.close());
    eventStoreContract(t, async () => ({ store, cleanup: async () => undefined }));
  });

  t.test("a reader never skips an event whose transaction commits after a later one's", async (t) => {
    const store = open();
    t.teardown(() => store.close());
    const schema = schemas.at(-1)!;
    await store.appendToStream("s-first", [eventToAppend("First")], { expectedRevision: "no_stream" });
    // A writer that takes its position and then holds its transaction open, as a slow append would.
    const slow = await admin.connect();
    await slow.query("BEGIN");
    await slow.query(`INSERT INTO "${schema}".events (stream, revision, type, data, metadata) VALUES ('s-slow', 0, 'Slow', '{}', '{}')`);
    const fast = await store.appendToStream("s-fast", [eventToAppend("Fast")], { expectedRevision: "no_stream" });
    const [, slowPosition] = (await slow.query<{ position: string }>(`SELECT max(position)::text AS position FROM "${schema}".events WHERE stream = 's-slow'`)).rows[0]!.position.split("/");
    t.ok(BigInt(slowPosition ?? "0") < BigInt(fast.position.split("/")[1]!), "the slow writer holds the lower position");
    const quick = new PostgresEventStore(postgresUrl, { schema, settleMs: 0 });
    t.teardown(() => quick.close());
    const seen = (await quick.readAll({ maxCount: 10 })).map((e) => e.type);
    t.same(seen, ["First"], "the fast event waits while an older transaction runs");
    await slow.query("COMMIT");
    slow.release();
    const after = await quick.readAll({ maxCount: 10 });
    t.same(after.map((e) => e.type), ["First", "Slow", "Fast"], "both come once the older one ends, the late commit first");
    t.ok(comparePositions(after[1]!.position, after[2]!.position) < 0, "positions grow in the order read");
  });

  t.test("events held back by an append left open are reported with what holds them, and released when it ends", async (t) => {
    const store = open({ settleMs: 0 });
    t.teardown(() => store.close());
    const schema = schemas.at(-1)!;
    const start = await store.headPosition();
    t.equal(await store.heldBack({ after: start }), undefined, "nothing held back");
    // A session left open in a transaction that has appended to the log.
    const open_ = new pg.Client({ connectionString: postgresUrl, application_name: "forgotten-psql" });
    await open_.connect();
    t.teardown(() => open_.end());
    await open_.query("BEGIN");
    await open_.query(`SELECT * FROM "${schema}".append_to_streams('{s-open}', '{no_stream}', '{1}', '{Open}', '{"{}"}', '{"{}"}', 'unheard')`);
    await store.appendToStream("s-waiting", [eventToAppend("Waiting")], { expectedRevision: "no_stream" });
    t.same(await store.readAll({ after: start, maxCount: 10 }), [], "committed, but not readable yet");
    const held = await store.heldBack({ after: start });
    t.match(held?.reason, /^committed events wait behind a transaction that writes to the log, running since \d{4}-.*\(PID \d+, program "forgotten-psql", database \w+, idle in transaction\)/);
    await open_.query("COMMIT");
    t.equal(await store.heldBack({ after: start }), undefined, "released when it ends");
    t.same((await store.readAll({ after: start, maxCount: 10 })).map((e) => e.type), ["Open", "Waiting"], "the open one first: it began first");
  });

  t.test("a long transaction that does not write to the log holds no reader back", async (t) => {
    const store = open({ settleMs: 0 });
    t.teardown(() => store.close());
    const other = open({ settleMs: 0 });
    t.teardown(() => other.close());
    const start = await store.headPosition();
    // Sessions with a transaction id left open: one elsewhere on the server, one that wrote to
    // another service's log (another schema) and stays open.
    const elsewhere = new pg.Client({ connectionString: postgresUrl, application_name: "report" });
    await elsewhere.connect();
    t.teardown(() => elsewhere.end());
    await elsewhere.query("BEGIN");
    await elsewhere.query("SELECT pg_current_xact_id()");
    await other.headPosition();
    const neighbour = new pg.Client({ connectionString: postgresUrl });
    await neighbour.connect();
    t.teardown(() => neighbour.end());
    await neighbour.query("BEGIN");
    await neighbour.query(`SELECT * FROM "${schemas.at(-1)!}".append_to_streams('{s-next-door}', '{any}', '{1}', '{NextDoor}', '{"{}"}', '{"{}"}', 'unheard')`);

    await store.appendToStream("s-free", [eventToAppend("Free")], { expectedRevision: "no_stream" });
    t.same((await store.readAll({ after: start, maxCount: 10 })).map((e) => e.type), ["Free"], "readable at once");
    t.equal(await store.heldBack({ after: start }), undefined, "nothing reported held back");
    await elsewhere.query("ROLLBACK");
    await neighbour.query("ROLLBACK");
  });

  t.test("events written after another write of the same transaction are refused: readers could not see them coming", async (t) => {
    const store = open();
    t.teardown(() => store.close());
    await store.headPosition();
    const schema = schemas.at(-1)!;
    const client = await admin.connect();
    t.teardown(() => client.release());
    await client.query("BEGIN");
    await client.query(`INSERT INTO "${schema}".streams (stream, revision) VALUES ('s-sideways', 0)`);
    await t.rejects(
      client.query(`INSERT INTO "${schema}".events (stream, revision, type, data, metadata) VALUES ('s-sideways', 0, 'Sideways', '{}', '{}')`),
      { code: "55000", message: /first write of a transaction/ },
    );
    await client.query("ROLLBACK");
    await client.query("BEGIN");
    await client.query(`SELECT * FROM "${schema}".append_to_streams('{s-twice}', '{no_stream}', '{1}', '{One}', '{"{}"}', '{"{}"}', 'unheard')`);
    const again = await client.query(`SELECT * FROM "${schema}".append_to_streams('{s-twice}', '{0}', '{1}', '{Two}', '{"{}"}', '{"{}"}', 'unheard')`);
    t.equal(again.rows[0].last_revision, "1", "two appends in one transaction are fine: the first announced it");
    await client.query("COMMIT");
    t.same((await store.readStream("s-twice")).map((e) => e.type), ["One", "Two"]);
  });

  t.test("the log is in transaction order as numbers, not as text: 9 before 10, 99 before 100", async (t) => {
    const store = open();
    t.teardown(() => store.close());
    await store.headPosition();
    const schema = schemas.at(-1)!;
    // Rows as transactions long finished would have left them (the ids are far below any running one).
    for (const [transaction, stream] of [["10", "s-b"], ["9", "s-a"], ["100", "s-d"], ["99", "s-c"]] as const) {
      await admin.query(`INSERT INTO "${schema}".events (transaction_id, stream, revision, type, data, metadata) VALUES ($1::xid8, $2, 0, 'E', '{}', '{}')`, [transaction, stream]);
    }
    const read = await store.readAll({ maxCount: 10 });
    t.same(read.map((e) => e.stream), ["s-a", "s-b", "s-c", "s-d"]);
    t.same((await store.readAll({ after: read[0]!.position, maxCount: 10 })).map((e) => e.stream), ["s-b", "s-c", "s-d"], "reading on from the first");
    t.equal(await store.headPosition(), read[3]!.position, "the head is the largest");
    const followed: string[] = [];
    const subscription = store.subscribeToAll({ after: read[1]!.position });
    // A follower that went wrong would wait for ever: the test ends it.
    const timeout = setTimeout(() => void subscription.close(), 10_000);
    t.teardown(() => clearTimeout(timeout));
    for await (const event of subscription) {
      followed.push(event.stream);
      if (followed.length === 2) break;
    }
    await subscription.close();
    t.same(followed, ["s-c", "s-d"], "a follower goes on in the same order");
  });

  t.test("concurrent writers: a follower reads every event exactly once, in position order", async (t) => {
    const writers = Array.from({ length: 4 }, () => open({ schema: undefined }));
    // All writers and the follower share one schema: four processes' worth of pools.
    const schema = schemas.at(-1)!;
    for (const writer of writers.slice(0, -1)) await writer.close();
    const pools = Array.from({ length: 4 }, () => new PostgresEventStore(postgresUrl, { schema, poolSize: 8 }));
    const follower = new PostgresEventStore(postgresUrl, { schema, pollMs: 50 });
    t.teardown(async () => {
      for (const store of [...pools, follower, writers.at(-1)!]) await store.close();
    });
    const perWriter = 150;
    const subscription = follower.subscribeToAll({});
    const seen: RecordedEvent[] = [];
    const total = pools.length * perWriter;
    const following = (async () => {
      for await (const event of subscription) {
        seen.push(event);
        if (seen.length === total) break;
      }
    })();
    await Promise.all(
      pools.map((store, w) =>
        Promise.all(
          Array.from({ length: perWriter }, (_, i) =>
            // Some appends span two streams, so transactions of different sizes interleave.
            i % 3 === 0
              ? store.appendToStreams([
                  { stream: `w${w}-a${i}`, events: [eventToAppend("Paired", { w, i })], expectedRevision: "no_stream" },
                  { stream: `w${w}-b${i}`, events: [], expectedRevision: "no_stream" },
                ])
              : store.appendToStream(`w${w}-s${i}`, [eventToAppend("Single", { w, i })], { expectedRevision: "no_stream" }),
          ),
        ),
      ),
    );
    const timeout = setTimeout(() => void subscription.close(), 30_000);
    await following;
    clearTimeout(timeout);
    await subscription.close();
    t.equal(seen.length, total, "every event was delivered");
    t.equal(new Set(seen.map((e) => e.position)).size, total, "none twice");
    t.ok(seen.every((e, i) => i === 0 || comparePositions(seen[i - 1]!.position, e.position) < 0), "in increasing position order");
    const all = await follower.readAll({ maxCount: total + 10 });
    t.same(all.map((e) => e.position), seen.map((e) => e.position), "a one-off read of the log sees the same order");
  });

  t.test("a follower wakes on NOTIFY well before its poll, and by polling without it", async (t) => {
    const store = open({ pollMs: 60_000 });
    t.teardown(() => store.close());
    const subscription = store.subscribeToAll({ after: await store.headPosition() });
    const iterator = subscription[Symbol.asyncIterator]();
    const first = iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const appendedAt = Date.now();
    await store.appendToStream("s-notified", [eventToAppend("Notified")], { expectedRevision: "no_stream" });
    const delivered = await Promise.race([first, new Promise<"late">((resolve) => setTimeout(() => resolve("late"), 5_000))]);
    t.not(delivered, "late", "delivered long before the 60 s poll");
    t.ok(Date.now() - appendedAt < 2_000, `delivered after ${Date.now() - appendedAt} ms`);
    await subscription.close();

    // A writer that never notifies (another tool inserting rows): the poll finds it.
    const polling = open({ pollMs: 100, schema: schemas.at(-1)! });
    t.teardown(() => polling.close());
    const quiet = polling.subscribeToAll({ after: await polling.headPosition() });
    const next = quiet[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await admin.query(`INSERT INTO "${schemas.at(-1)!}".events (stream, revision, type, data, metadata) VALUES ('s-quiet', 0, 'Quiet', '{}', '{}')`);
    const found = await Promise.race([next, new Promise<"late">((resolve) => setTimeout(() => resolve("late"), 5_000))]);
    t.equal(found !== "late" && found.value?.type, "Quiet", "found by polling");
    await quiet.close();
  });

  t.test("the schema is made at first use and records its version", async (t) => {
    const store = open();
    t.teardown(() => store.close());
    await store.appendToStream("s-1", [eventToAppend("E")], { expectedRevision: "no_stream" });
    const { rows } = await admin.query(`SELECT part, version FROM "${schemas.at(-1)!}".schema_versions ORDER BY part, version`);
    t.same(rows, [
      { part: "events", version: 1 },
      { part: "events", version: 2 },
      { part: "events", version: 3 },
    ]);
  });

  t.test("a schema made by an earlier version is migrated at start, its events kept", async (t) => {
    const schema = `test_${randomBytes(6).toString("hex")}`;
    schemas.push(schema);
    // The tables as version 1 left them, with a stream written then.
    await migrate(admin, schema, "events", EVENT_STORE_MIGRATIONS.slice(0, 1));
    await admin.query(`INSERT INTO "${schema}".streams (stream, revision) VALUES ('s-old', 0)`);
    await admin.query(`INSERT INTO "${schema}".events (stream, revision, type, data, metadata) VALUES ('s-old', 0, 'Old', '{"kept":true}', '{}')`);
    const store = new PostgresEventStore(postgresUrl, { schema });
    t.teardown(() => store.close());
    t.same((await store.readStream("s-old")).map((e) => [e.revision, e.type, e.data]), [[0, "Old", { kept: true }]]);
    t.equal((await store.appendToStream("s-old", [eventToAppend("New")], { expectedRevision: 0 })).revision, 1, "appends go on from the stream's revision");
    const { rows } = await admin.query(`SELECT version FROM "${schema}".schema_versions WHERE part = 'events' ORDER BY version`);
    t.same(rows.map((row) => row.version), [1, 2, 3]);
  });

  t.test("events survive closing and reopening, and a new store on the schema continues the streams", async (t) => {
    const first = open();
    const schema = schemas.at(-1)!;
    await first.appendToStream("s-kept", [eventToAppend("Kept", { a: 1 })], { expectedRevision: "no_stream" });
    await first.close();
    const second = new PostgresEventStore(postgresUrl, { schema });
    t.teardown(() => second.close());
    t.same((await second.readStream("s-kept")).map((e) => [e.type, e.data]), [["Kept", { a: 1 }]]);
    await t.rejects(second.appendToStream("s-kept", [eventToAppend("Again")], { expectedRevision: "no_stream" }), { name: "WrongExpectedRevision" });
    await t.rejects(first.appendToStream("s-kept", [eventToAppend("Closed")], { expectedRevision: "any" }), EventStoreUnavailable, "a closed store refuses appends");
  });
}
