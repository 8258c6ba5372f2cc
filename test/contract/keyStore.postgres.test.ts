import { randomBytes, randomUUID } from "node:crypto";
import t from "tap";
import { masterKey } from "../../shared/crypto/masterKey.js";
import { KeyStore } from "../../shared/keystore/keyStore.js";
import { PostgresKeyRecords } from "../../shared/keystore/postgres.js";
import { identifier, openPool } from "../../shared/postgres/connect.js";
import { postgresUrl, requireServers } from "../support/cluster.js";
import { keyStoreContract } from "./keyStore.contract.js";

/** A schema of its own for each test, dropped at the end: the server keeps its data between runs. */
function newSchema(): string {
  return `test_${randomBytes(6).toString("hex")}`;
}

if (requireServers(t, "PostgreSQL key-store contract suite", ["postgres"])) {
  // In a subtest of its own: the contract's beforeEach and afterEach make and clean up a
  // fixture around every test below them.
  t.test("PostgresKeyRecords: the key-store contract", async (t) => {
    keyStoreContract(t, async () => {
      const schema = newSchema();
      const pool = openPool(postgresUrl);
      const records = new PostgresKeyRecords(pool, schema);
      const others: PostgresKeyRecords[] = [];
      return {
        records,
        // Another process: a pool of its own.
        reopen: async () => {
          const other = PostgresKeyRecords.open(postgresUrl, schema);
          others.push(other);
          return other;
        },
        cleanup: async () => {
          for (const other of others) await other.close();
          await records.close();
          await pool.query(`DROP SCHEMA IF EXISTS ${identifier(schema)} CASCADE`);
          await pool.end();
        },
      };
    });
  });

  t.test("PostgreSQL key records", async (t) => {
    const schema = newSchema();
    const pool = openPool(postgresUrl);
    t.teardown(async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${identifier(schema)} CASCADE`);
      await pool.end();
    });
    const table = `${identifier(schema)}.data_keys`;
    const master = masterKey(randomBytes(32));

    t.test("records given a pool leave it open when closed, for the other adapters sharing it", async (t) => {
      const records = new PostgresKeyRecords(pool, schema);
      const store = new KeyStore({ records, master });
      const subject = `cus_${randomUUID()}`;
      await store.obtain(subject);
      await store.close();
      const { rows } = await pool.query(`SELECT subject FROM ${table} WHERE subject = $1`, [subject]);
      t.same(rows, [{ subject }], "the pool still answers, and the row is in the schema's own table");
    });

    t.test("destroying a live key vacuums the table at once; destroying a tombstone does not", async (t) => {
      const records = new PostgresKeyRecords(pool, schema);
      const store = new KeyStore({ records, master });
      const vacuums = async () =>
        Number((await pool.query<{ count: string }>("SELECT vacuum_count AS count FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'data_keys'", [schema])).rows[0]?.count ?? 0);
      const subject = `cus_${randomUUID()}`;
      await store.obtain(subject);
      const before = await vacuums();
      t.equal(await store.destroy(subject), true);
      t.equal(await vacuums(), before + 1, "one VACUUM after a live key was destroyed");
      t.equal(await store.destroy(subject), false);
      t.equal(await store.destroy(`cus_${randomUUID()}`), false);
      t.equal(await vacuums(), before + 1, "none for a tombstone, old or new");

      const many = Array.from({ length: 10 }, () => `cus_${randomUUID()}`);
      await Promise.all(many.map((one) => store.obtain(one)));
      t.same(await Promise.all(many.map((one) => store.destroy(one))), many.map(() => true));
      t.ok((await vacuums()) < before + 1 + many.length, "destroys that come together share a VACUUM");
      await store.close();
    });

    t.test("a destroy racing the key's creation on another handle never leaves a live key", async (t) => {
      const creator = PostgresKeyRecords.open(postgresUrl, schema);
      const destroyer = PostgresKeyRecords.open(postgresUrl, schema);
      t.teardown(async () => {
        await creator.close();
        await destroyer.close();
      });
      const subjects = Array.from({ length: 30 }, () => `cus_${randomUUID()}`);
      await Promise.all(
        subjects.map((subject) =>
          Promise.all([
            creator.insertIfAbsent({ subject, master_key_id: master.id, wrapped: master.wrap(randomBytes(32), subject), created_at: new Date().toISOString(), destroyed_at: null }),
            destroyer.destroy(subject, new Date().toISOString(), master.id),
          ]),
        ),
      );
      const { rows } = await pool.query(`SELECT subject FROM ${table} WHERE subject = ANY($1::text[]) AND (wrapped IS NOT NULL OR destroyed_at IS NULL)`, [subjects]);
      t.same(rows, [], "every subject is a tombstone");
    });
  });
}
