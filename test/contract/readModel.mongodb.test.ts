import { randomUUID } from "node:crypto";
import t from "tap";
import { MongoReadModel } from "../../shared/readmodel/mongodb.js";
import type { CustomerDocument } from "../../shared/readmodel/customerDocument.js";
import type { CustomerGroupDocument } from "../../shared/readmodel/customerGroupDocument.js";
import { type Change, ReadModelUnavailable } from "../../shared/readmodel/port.js";
import { dropDatabase } from "../support/mongoDatabase.js";
import { mongodbUrl, requireServers } from "../support/cluster.js";
import { customerDocument } from "../support/documents.js";
import { TcpProxy } from "../support/tcpProxy.js";
import { readModelContract } from "./readModel.contract.js";
import { EVERYTHING, where } from "../../shared/readmodel/query.js";
import { INSERT_CHUNK } from "../../shared/readmodel/mongoDocuments.js";

if (requireServers(t, "MongoDB read-model contract suite", ["mongodb"])) {
  const database = `contract_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const variants = [
    { name: "reading MongoDB every time (projector)", cache: { maxDocuments: 0, ttlMs: 0 } },
    { name: "with the recent-documents copy (command service)", cache: { maxDocuments: 1000, ttlMs: 60_000 } },
  ];
  for (const { name, cache } of variants) {
    t.test(name, async (t) => {
      readModelContract(t, async () => {
        const readModel = await MongoReadModel.connect(mongodbUrl, database, { cache });
        // Waiting is woken by notices in cluster mode; the contract's writer plays the projector.
        // A replay's older revision is ignored by the copy and by the waiters.
        for (const collection of [readModel.customers, readModel.groups] as const) {
          const save = collection.save.bind(collection) as (changes: Array<Change<CustomerDocument | CustomerGroupDocument>>) => Promise<void>;
          collection.save = async (changes: Array<Change<never>>) => {
            await save(changes);
            for (const change of changes) readModel.notify(change.document);
          };
        }
        return { readModel, cleanup: () => readModel.close() };
      });
    });
  }

  t.test("a write's document found by the last read of a wait is kept like a read's: later reads never answer older", async (t) => {
    const readModel = await MongoReadModel.connect(mongodbUrl, database, { cache: { maxDocuments: 1000, ttlMs: 60_000 } });
    t.teardown(() => readModel.close());
    const id = `cus_${randomUUID()}`;
    const created = customerDocument({ id });
    await readModel.customers.save([{ document: created, previousRevision: null }]);
    readModel.notify(created);
    t.equal((await readModel.customers.get(id))?.revision, 0, "the copy holds revision 0");
    await readModel.customers.save([{ document: customerDocument({ id, revision: 1, first_name: "Shown" }), previousRevision: 0 }]);
    // No notice came for revision 1 (a projector's notice lost or late): the wait ends with a read of MongoDB.
    // Long enough that the final read (up to half the wait) is not cut short on a busy server.
    const shown = await readModel.customers.waitFor(id, 1, 2_000);
    t.equal(shown?.first_name, "Shown");
    t.equal((await readModel.customers.get(id))?.revision, 1, "a read right after answers what the write answered, not the copy's revision 0");
    // The generation that serves next has only revision 0 yet, as a rebuilt one can.
    await readModel.customers.documents.collection.updateOne({ _id: id }, { $set: { revision: 0, first_name: null } });
    t.same([(await readModel.customers.get(id))?.revision, (await readModel.customers.get(id))?.first_name], [1, "Shown"], "what was shown");
  });

  t.test("a large batch is written a few documents per command, and its replay passes", async (t) => {
    const readModel = await MongoReadModel.connect(mongodbUrl, database);
    t.teardown(() => readModel.close());
    const collection = readModel.customers.documents.collection;
    const sizes: number[] = [];
    const insertMany = collection.insertMany.bind(collection);
    collection.insertMany = ((documents: never[], options: never) => {
      sizes.push(documents.length);
      return insertMany(documents, options);
    }) as typeof collection.insertMany;
    const prefix = `cus_chunk_${randomUUID().slice(0, 8)}`;
    const created = Array.from({ length: 5 * INSERT_CHUNK + 3 }, (_, i) => ({ document: customerDocument({ id: `${prefix}_${String(i).padStart(3, "0")}` }), previousRevision: null }));
    await readModel.customers.save(created.slice(0, 2 * INSERT_CHUNK));
    // A batch delivered again after a failure: its first part is stored already.
    await readModel.customers.save(created);
    t.ok(Math.max(...sizes) <= INSERT_CHUNK, `no command carries more than ${INSERT_CHUNK} documents (${sizes})`);
    const stored = (await readModel.customers.ids()).filter((id) => id.startsWith(prefix));
    t.same(stored.sort(), created.map((change) => change.document.id), "every document is stored once");
  });

  t.test("documents keep their keys and values through MongoDB (key order and types)", async (t) => {
    const readModel = await MongoReadModel.connect(mongodbUrl, database);
    t.teardown(() => readModel.close());
    const document = customerDocument({
      id: `cus_${randomUUID()}`,
      metadata: { nested: { a: [1, "2", null, true] }, "dotted.key": 1, $dollar: { "x.y": "z" } },
    });
    await readModel.customers.save([{ document, previousRevision: null }]);
    const stored = await readModel.customers.get(document.id);
    t.same(stored, document);
    t.same(Object.keys(stored!), Object.keys(document));
  });

  t.test("a list that takes longer than its bound is stopped and answers unavailable", async (t) => {
    const slowDatabase = `${database}_slow`;
    const writer = await MongoReadModel.connect(mongodbUrl, slowDatabase);
    t.teardown(async () => {
      await writer.close();
      await dropDatabase(mongodbUrl, slowDatabase);
    });
    const changes = Array.from({ length: 500 }, (_, n) => ({ document: customerDocument({ id: `cus_${String(n).padStart(6, "0")}`, first_name: "a".repeat(60) }), previousRevision: null }));
    await writer.customers.save(changes);
    const query = { filter: where.regex("first_name", "^(a|aa)+b$"), sort: { field: "email", direction: -1 as const }, skip: 0, limit: 20 };
    t.equal((await writer.customers.list(query)).count, 0, "with the default bound the scan finishes");
    // A server-side bound of 1 ms: the server stops the query (maxTimeMS).
    const hurried = await MongoReadModel.connect(mongodbUrl, slowDatabase, { queryTimeMs: 1 });
    t.teardown(() => hurried.close());
    await t.rejects(hurried.customers.list(query), ReadModelUnavailable);
  });

  t.test("a line that goes bad makes reads and writes unavailable within the timeout, never another error", async (t) => {
    const target = new URL(mongodbUrl);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 27017) });
    t.teardown(() => proxy.close());
    const readModel = await MongoReadModel.connect(`mongodb://127.0.0.1:${proxy.port}/?directConnection=true`, `${database}_line`, { timeoutMs: 1000 });
    t.teardown(async () => {
      await readModel.close();
      await dropDatabase(mongodbUrl, `${database}_line`);
    });
    const document = customerDocument({ id: `cus_${randomUUID()}` });
    await readModel.customers.save([{ document, previousRevision: null }]);
    const query = { filter: EVERYTHING, sort: { field: "id", direction: 1 as const }, skip: 0, limit: 20 };
    for (const fault of [{ kind: "black-hole" }, { kind: "reset" }, { kind: "drop" }] as const) {
      proxy.setFault(fault);
      for (const [name, operation] of [
        ["get", () => readModel.customers.get(document.id)],
        ["list", () => readModel.customers.list(query)],
        ["save", () => readModel.customers.save([{ document: { ...document, revision: document.revision + 1 }, previousRevision: document.revision }])],
      ] as const) {
        const started = Date.now();
        const error = await (operation as () => Promise<unknown>)().catch((e: unknown) => e);
        t.type(error, ReadModelUnavailable, `${fault.kind}: ${name} fails as unavailable`);
        t.ok(Date.now() - started < 5000, `${fault.kind}: ${name} within the bound (${Date.now() - started} ms)`);
      }
      proxy.setFault({ kind: "none" });
      let back: unknown;
      for (let attempt = 0; attempt < 50 && !back; attempt += 1) {
        back = await readModel.customers.get(document.id).catch(() => undefined);
        if (!back) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      t.same(back, document, `${fault.kind}: reads work again once the line is back`);
    }
  });
}
