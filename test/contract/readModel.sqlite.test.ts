import { join } from "node:path";
import t from "tap";
import { type PagePlan, SqliteReadModel } from "../../shared/readmodel/sqlite.js";
import { where } from "../../shared/readmodel/query.js";
import { makeDataDir } from "../support/service.js";
import { readModelContract } from "./readModel.contract.js";

// Each case of the contract starts a file's reader and writer threads, which load their
// TypeScript sources anew under the tests' loader: a few hundred ms on a quiet machine, five
// seconds and more on a busy one, so the file may take longer than tap's usual limit there.
t.setTimeout(480_000);

// A page is read one of two ways, as its count decides; each way on its own gives the same
// answers. As the service runs it: a file, its reader and writer threads (started before
// the first request), documents kept in memory. The forced plans run in memory (no threads: the plans are chosen on this one).
for (const pagePlan of ["by count", "few matches", "many matches"] satisfies PagePlan[]) {
  t.test(`pages read ${pagePlan === "by count" ? "as their count decides" : `as for ${pagePlan}`}`, async (t) => {
    readModelContract(t, async () => {
      if (pagePlan !== "by count") {
        const readModel = new SqliteReadModel(":memory:", { pagePlan });
        return { readModel, cleanup: () => readModel.close() };
      }
      const data = makeDataDir();
      const readModel = new SqliteReadModel(join(data.dir, "readmodel.sqlite"), { cachedDocuments: 1000 });
      // As the service does before it opens its port: the threads take requests.
      await readModel.ready();
      return {
        readModel,
        cleanup: async () => {
          await readModel.close();
          data.remove();
        },
      };
    });
  });
}

t.test("documents outlive the process: a new read model on the same file has them", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const file = join(data.dir, "readmodel.sqlite");
  const first = new SqliteReadModel(file);
  const { customerDocument } = await import("../support/documents.js");
  const document = customerDocument({ id: "cus_durable", metadata: { a: 1 } });
  await first.customers.save([{ document, previousRevision: null }]);
  await first.close();
  const second = new SqliteReadModel(file);
  t.teardown(() => second.close());
  t.same(await second.customers.get("cus_durable"), document);
});

t.test("a projector's batch and the log position it reaches are committed together, and outlive the process", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const file = join(data.dir, "readmodel.sqlite");
  const { customerDocument, customerGroupDocument } = await import("../support/documents.js");
  const first = new SqliteReadModel(file);
  t.equal(await first.projectedPosition(), undefined, "a new file has projected nothing");
  await first.saveBatch({
    customers: [{ document: customerDocument({ id: "cus_a" }), previousRevision: null }],
    groups: [{ document: customerGroupDocument({ id: "cusgroup_a" }), previousRevision: null }],
    position: "41",
  });
  // A gap fails the whole batch: neither document nor position moves.
  await t.rejects(
    first.saveBatch({
      customers: [
        { document: customerDocument({ id: "cus_b" }), previousRevision: null },
        { document: customerDocument({ id: "cus_a", revision: 5 }), previousRevision: 4 },
      ],
      groups: [],
      position: "42",
    }),
    { name: "ReadModelRevisionGap" },
  );
  t.equal(await first.customers.get("cus_b"), null, "nothing of the failed batch is written");
  await first.close();

  const second = new SqliteReadModel(file);
  t.equal(await second.projectedPosition(), "41", "the position of the last committed batch");
  t.ok(await second.groups.get("cusgroup_a"));
  await second.reset();
  t.equal(await second.projectedPosition(), undefined, "a reset forgets the position");
  t.same(await second.customers.ids(), [], "and the documents");
  await second.close();
});

t.test("a file written with another document layout is emptied at open, to be rebuilt", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const file = join(data.dir, "readmodel.sqlite");
  const { customerDocument } = await import("../support/documents.js");
  const first = new SqliteReadModel(file);
  await first.saveBatch({ customers: [{ document: customerDocument({ id: "cus_old" }), previousRevision: null }], groups: [], position: "7" });
  await first.close();
  const Database = (await import("better-sqlite3")).default;
  const db = new Database(file);
  db.prepare("UPDATE meta SET value = 'an older layout' WHERE key = 'layout'").run();
  // An older layout's table, without the columns of this one.
  db.exec("DROP TABLE customers; CREATE TABLE customers (id TEXT PRIMARY KEY, revision INTEGER NOT NULL, live INTEGER NOT NULL, body TEXT NOT NULL)");
  db.prepare("INSERT INTO customers VALUES ('cus_old', 0, 1, '{}')").run();
  db.close();
  const reopened = new SqliteReadModel(file);
  t.teardown(() => reopened.close());
  t.equal(await reopened.projectedPosition(), undefined);
  t.same(await reopened.customers.ids(), []);
  const document = customerDocument({ id: "cus_new", email: "new@example.com" });
  await reopened.saveBatch({ customers: [{ document, previousRevision: null }], groups: [], position: "8" });
  const page = await reopened.customers.list({ filter: where.search(["email"], "new@"), sort: { field: "email", direction: 1 }, skip: 0, limit: 10 });
  t.same(page, { documents: [document], count: 1 }, "the new layout's tables and indexes are there");
});
