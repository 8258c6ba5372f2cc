/**
 * The schema's migrations on a real server: processes starting together agree on one
 * migration, and a schema newer than the code is refused instead of being used.
 */
import { randomBytes } from "node:crypto";
import t from "tap";
import { CHECKPOINT_MIGRATIONS, PostgresCheckpointStore } from "../../shared/checkpoints/postgres.js";
import { EventStoreUnavailable } from "../../shared/eventstore/port.js";
import { KEY_MIGRATIONS } from "../../shared/keystore/postgres.js";
import { identifier, openPool } from "../../shared/postgres/connect.js";
import { migrate } from "../../shared/postgres/schema.js";
import { postgresUrl, requireServers } from "../support/cluster.js";

if (requireServers(t, "PostgreSQL schema migrations suite", ["postgres"])) {
  const admin = openPool(postgresUrl);
  const schemas: string[] = [];
  /** A schema of its own for each test, dropped at the end: the server keeps its data between runs. */
  const newSchema = () => {
    const schema = `test_${randomBytes(6).toString("hex")}`;
    schemas.push(schema);
    return schema;
  };
  t.teardown(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${identifier(schema)} CASCADE`);
    await admin.end();
  });

  t.test("migrations racing from several processes all succeed and apply each version once", async (t) => {
    const schema = newSchema();
    const pools = Array.from({ length: 8 }, () => openPool(postgresUrl));
    t.teardown(() => Promise.all(pools.map((pool) => pool.end())));
    const versions = await Promise.all(
      pools.flatMap((pool) => [migrate(pool, schema, "checkpoints", CHECKPOINT_MIGRATIONS), migrate(pool, schema, "keys", KEY_MIGRATIONS)]),
    );
    t.same(versions, versions.map(() => 1), "every call answers the newest version");
    const { rows } = await admin.query<{ part: string; version: number; count: string }>(
      `SELECT part, version, count(*) AS count FROM ${identifier(schema)}.schema_versions GROUP BY part, version ORDER BY part, version`,
    );
    t.same(rows, [
      { part: "checkpoints", version: 1, count: "1" },
      { part: "keys", version: 1, count: "1" },
    ]);
    const tables = await admin.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", [schema]);
    t.same(
      tables.rows.map((row) => row.table_name),
      ["checkpoints", "data_keys", "schema_versions"],
    );
  });

  t.test("a schema newer than this code is refused, with a message that says so", async (t) => {
    const schema = newSchema();
    await migrate(admin, schema, "checkpoints", CHECKPOINT_MIGRATIONS);
    await admin.query(`INSERT INTO ${identifier(schema)}.schema_versions (part, version, description) VALUES ('checkpoints', 2, 'from a newer version')`);
    const refusal = /The PostgreSQL schema "test_[0-9a-f]+" holds checkpoints at version 2, newer than this version of the service knows \(1\): run a newer version/;
    await t.rejects(migrate(admin, schema, "checkpoints", CHECKPOINT_MIGRATIONS), refusal);
    const store = new PostgresCheckpointStore(admin, schema, "newer");
    const error = await store.load().then(
      () => undefined,
      (error: unknown) => error,
    );
    t.match(error, refusal, "the store refuses it too");
    t.notOk(error instanceof EventStoreUnavailable, "as a mistake to fix, not as an outage to wait out");
    t.same(await migrate(admin, schema, "keys", KEY_MIGRATIONS), 1, "another part of the same schema is not held back");
  });

  t.test("a schema name that is not a plain identifier is refused before any SQL", async (t) => {
    t.throws(() => new PostgresCheckpointStore(admin, 'public"; DROP TABLE x; --', "x"), /not a usable PostgreSQL schema name/);
    await t.rejects(migrate(admin, "Customers", "keys", KEY_MIGRATIONS), /not a usable PostgreSQL schema name/);
  });
}
