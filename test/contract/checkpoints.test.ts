import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { InMemoryCheckpointStore } from "../../shared/checkpoints/inMemory.js";
import { KurrentDbCheckpointStore } from "../../shared/checkpoints/kurrentdb.js";
import { PostgresCheckpointStore } from "../../shared/checkpoints/postgres.js";
import { SqliteCheckpointStore } from "../../shared/checkpoints/sqlite.js";
import { EventStoreUnavailable } from "../../shared/eventstore/port.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { identifier, openPool } from "../../shared/postgres/connect.js";
import { kurrentdbUrl, postgresUrl, requireServers } from "../support/cluster.js";
import { checkpointStoreContract } from "./checkpoints.contract.js";

const dir = mkdtempSync(join(tmpdir(), "checkpoints-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test("InMemoryCheckpointStore", async (t) => {
  checkpointStoreContract(t, {
    open: async () => ({ store: new InMemoryCheckpointStore(), close: async () => undefined }),
    notDurable: "kept in memory only, as short-lived as the in-process bus",
  });
});

t.test("SqliteCheckpointStore", async (t) => {
  const file = join(dir, "checkpoints.sqlite");
  checkpointStoreContract(t, {
    open: async (name) => {
      const store = new SqliteCheckpointStore(file, name);
      return { store, close: () => store.close() };
    },
  });

  t.test("shares a file with the SQLite event store", async (t) => {
    const shared = join(dir, "events.sqlite");
    const events = new SqliteEventStore(shared);
    const checkpoints = new SqliteCheckpointStore(shared, "publisher");
    const metadata = { event_id: "e-1", schema_version: 1, occurred_at: "x", correlation_id: "c", causation_id: "c", actor: { id: "u", type: "user" } };
    const { position } = await events.appendToStream("customer-1", [{ type: "Kept", data: {}, metadata }], { expectedRevision: "no_stream" });
    await checkpoints.save(position);
    t.equal(await checkpoints.load(), position);
    t.equal((await events.readStream("customer-1")).length, 1);
    await checkpoints.close();
    await events.close();
  });
});

t.test("KurrentDbCheckpointStore", async (t) => {
  t.test("an unreachable server fails load and save promptly", async (t) => {
    const store = new KurrentDbCheckpointStore("kurrentdb://127.0.0.1:1?tls=false&defaultDeadline=2000", "unreachable");
    const started = Date.now();
    await t.rejects(store.load());
    await t.rejects(store.save("1/1"));
    await t.rejects(store.save("2/2"));
    t.ok(Date.now() - started < 10_000, `within 10 s (took ${Date.now() - started} ms)`);
    await store.close();
  });

  if (!requireServers(t, "KurrentDB checkpoint store contract suite", ["kurrentdb"])) return;
  checkpointStoreContract(t, {
    open: async (name) => {
      const store = new KurrentDbCheckpointStore(kurrentdbUrl, name);
      return { store, close: () => store.close() };
    },
  });
});

t.test("PostgresCheckpointStore", async (t) => {
  t.test("an unreachable server fails load and save promptly", async (t) => {
    const store = PostgresCheckpointStore.open("postgres://postgres@127.0.0.1:1/x", "customers", "unreachable", { timeoutMs: 2000, poolSize: 2 });
    const started = Date.now();
    await t.rejects(store.load(), EventStoreUnavailable);
    await t.rejects(store.save("1/1"), EventStoreUnavailable);
    await t.rejects(store.save("2/2"), EventStoreUnavailable);
    t.ok(Date.now() - started < 10_000, `within 10 s (took ${Date.now() - started} ms)`);
    await store.close();
  });

  if (!requireServers(t, "PostgreSQL checkpoint store contract suite", ["postgres"])) return;
  // A schema of its own per run, dropped at the end: the server keeps its data between runs.
  const schema = `test_${randomBytes(6).toString("hex")}`;
  const pool = openPool(postgresUrl);
  t.teardown(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${identifier(schema)} CASCADE`);
    await pool.end();
  });

  checkpointStoreContract(t, {
    open: async (name) => {
      const store = PostgresCheckpointStore.open(postgresUrl, schema, name);
      return { store, close: () => store.close() };
    },
  });

  t.test("a store given a pool leaves it open when closed, for the other adapters sharing it", async (t) => {
    const name = `shared-${randomBytes(4).toString("hex")}`;
    const store = new PostgresCheckpointStore(pool, schema, name);
    await store.save("3/3");
    await store.close();
    const { rows } = await pool.query(`SELECT position FROM ${identifier(schema)}.checkpoints WHERE name = $1`, [name]);
    t.same(rows, [{ position: "3/3" }], "the pool still answers, and the row is in the schema's own table");
  });
});
