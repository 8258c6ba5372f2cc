/**
 * The SQLite read model's writer thread: batches are committed in the order they were sent, a
 * revision gap comes back as the read model's own error with nothing of its batch written,
 * and a thread that stops is replaced.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import t, { type Test } from "tap";
import { ReadModelRevisionGap, ReadModelUnavailable } from "../../shared/readmodel/port.js";
import { CUSTOMERS, GROUPS, createTables } from "../../shared/readmodel/sqliteTables.js";
import { ThreadedWriter } from "../../shared/readmodel/sqliteWriter.js";
import { customerDocument } from "../support/documents.js";
import { makeDataDir } from "../support/service.js";

function prepared(t: Test): { file: string; db: Database.Database } {
  const data = makeDataDir();
  const file = join(data.dir, "readmodel.sqlite");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  createTables(db, CUSTOMERS);
  createTables(db, GROUPS);
  t.teardown(() => {
    db.close();
    data.remove();
  });
  return { file, db };
}

const change = (revision: number, previousRevision: number | null) => ({
  body: JSON.stringify(customerDocument({ id: "cus_ordered", revision, first_name: `Revision ${revision}` })),
  previousRevision,
});

t.test("batches sent at once are committed in the order they were sent", async (t) => {
  const { file, db } = prepared(t);
  const writer = new ThreadedWriter(file);
  t.teardown(() => writer.close());
  // Each expects the one before it: out of order, one would be refused.
  const written = await Promise.all(Array.from({ length: 50 }, (_, n) => writer.write({ customers: [change(n, n === 0 ? null : n - 1)], groups: [], position: String(n) })));
  t.ok(written.every((batch) => batch.customers.saved.length === 1));
  t.same(db.prepare("SELECT revision FROM customers WHERE id = 'cus_ordered'").get(), { revision: 49 });
  t.same(db.prepare("SELECT value FROM meta WHERE key = 'position'").get(), { value: "49" });
});

t.test("a revision gap comes back as ReadModelRevisionGap, and nothing of its batch is written", async (t) => {
  const { file, db } = prepared(t);
  const writer = new ThreadedWriter(file);
  t.teardown(() => writer.close());
  const other = { body: JSON.stringify(customerDocument({ id: "cus_other" })), previousRevision: null };
  const error = await writer.write({ customers: [other, change(5, 4)], groups: [], position: "9" }).catch((caught: unknown) => caught);
  t.type(error, ReadModelRevisionGap);
  t.match(error, { id: "cus_ordered", stored: null, incoming: 5 });
  t.same(db.prepare("SELECT COUNT(*) AS count FROM customers").get(), { count: 0 }, "the batch's other document is not written either");
  t.equal(db.prepare("SELECT value FROM meta WHERE key = 'position'").get(), undefined);
});

t.test("a writer thread that cannot open the file fails as unavailable; the next request starts another", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const file = join(data.dir, "later.sqlite");
  const writer = new ThreadedWriter(file);
  t.teardown(() => writer.close());
  await t.rejects(writer.write({ customers: [change(0, null)], groups: [] }), ReadModelUnavailable);
  const db = new Database(file);
  db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  createTables(db, CUSTOMERS);
  createTables(db, GROUPS);
  db.close();
  const written = await writer.write({ customers: [change(0, null)], groups: [] });
  t.same(written.customers, { saved: ["cus_ordered"], liveDelta: 1 });
});
