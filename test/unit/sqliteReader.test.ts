/**
 * The SQLite read model's reader threads: lists run on their own connection, off the event
 * loop, see every write committed before them, and a thread that stops is replaced.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import t, { type Test } from "tap";
import { InvalidPattern } from "../../shared/readmodel/pattern.js";
import { ReadModelUnavailable } from "../../shared/readmodel/port.js";
import { registerReadModelFunctions } from "../../shared/readmodel/sqliteFunctions.js";
import { InlineReader, type SqliteReader, ThreadedReader } from "../../shared/readmodel/sqliteReader.js";
import { makeDataDir } from "../support/service.js";

function database(t: Test): { file: string; db: Database.Database } {
  const data = makeDataDir();
  const file = join(data.dir, "readmodel.sqlite");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  registerReadModelFunctions(db);
  db.exec("CREATE TABLE numbers (n INTEGER PRIMARY KEY)");
  t.teardown(() => {
    db.close();
    data.remove();
  });
  return { file, db };
}

function threaded(t: Test, file: string): ThreadedReader {
  const reader = new ThreadedReader(file, 2);
  t.teardown(() => reader.close());
  return reader;
}

/** A statement that keeps SQLite busy for a while: counting a few million generated rows. */
const LONG_SCAN = { sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT COUNT(*) AS count FROM c", params: [] };

/** How many turns the event loop made while `reader` ran the long scan. */
async function turnsDuring(reader: SqliteReader): Promise<number> {
  let turns = 0;
  let reading = true;
  const turn = () => {
    if (!reading) return;
    turns += 1;
    setImmediate(turn);
  };
  setImmediate(turn);
  const [rows] = await reader.read([LONG_SCAN]);
  reading = false;
  if ((rows![0] as { count: number }).count !== 2_000_000) throw new Error("the scan did not count what it should");
  return turns;
}

t.test("a reader thread scans while the event loop goes on turning; the same scan inline holds it", async (t) => {
  const { file, db } = database(t);
  t.ok((await turnsDuring(threaded(t, file))) > 0, "turns while a thread scans");
  t.equal(await turnsDuring(new InlineReader(db)), 0, "none while the connection of the event loop scans");
});

t.test("a reader thread sees every write committed before its request", async (t) => {
  const { file, db } = database(t);
  const reader = threaded(t, file);
  const insert = db.prepare("INSERT INTO numbers (n) VALUES (?)");
  for (let n = 1; n <= 50; n += 1) {
    insert.run(n);
    const [rows] = await reader.read([{ sql: "SELECT COUNT(*) AS count, MAX(n) AS last FROM numbers", params: [] }]);
    t.same(rows, [{ count: n, last: n }]);
  }
});

t.test("a reader thread only reads", async (t) => {
  const { file, db } = database(t);
  await t.rejects(threaded(t, file).read([{ sql: "INSERT INTO numbers (n) VALUES (1) RETURNING n", params: [] }]), /readonly|query_only|attempt to write/i);
  t.equal((db.prepare("SELECT COUNT(*) AS count FROM numbers").get() as { count: number }).count, 0);
});

t.test("a pattern the read model cannot run comes back from the thread as InvalidPattern", async (t) => {
  const { file } = database(t);
  await t.rejects(threaded(t, file).read([{ sql: "SELECT re2_match(?, 0, 'text') AS matched", params: ["(a"] }]), InvalidPattern);
});

t.test("a thread that cannot open the file fails its request as unavailable; the next request starts another", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const file = join(data.dir, "not-yet.sqlite");
  const reader = threaded(t, file);
  await t.rejects(reader.read([{ sql: "SELECT 1 AS one", params: [] }]), ReadModelUnavailable);
  writeFileSync(file, "");
  t.same(await reader.read([{ sql: "SELECT 1 AS one", params: [] }]), [[{ one: 1 }]]);
});

t.test("a closed reader refuses requests as unavailable", async (t) => {
  const { file } = database(t);
  const reader = new ThreadedReader(file, 1);
  await reader.close();
  await t.rejects(reader.read([{ sql: "SELECT 1 AS one", params: [] }]), ReadModelUnavailable);
});

t.test("ready settles once every thread takes requests, and fails as unavailable for threads that cannot start", async (t) => {
  const { file } = database(t);
  const reader = threaded(t, file);
  let ready = false;
  const waiting = reader.ready().then(() => (ready = true));
  t.notOk(ready, "not before the threads have loaded");
  await waiting;
  t.ok(ready, "then settled");

  const data = makeDataDir();
  t.teardown(() => data.remove());
  const missing = threaded(t, join(data.dir, "missing.sqlite"));
  await t.rejects(missing.ready(), ReadModelUnavailable, "a thread that stops while starting fails ready");

  const closed = new ThreadedReader(file, 1);
  const pending = t.rejects(closed.ready(), ReadModelUnavailable, "closing before the threads are up does not leave ready waiting for ever");
  await closed.close();
  await pending;
});
