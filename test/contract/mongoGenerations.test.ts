/**
 * The MongoDB read model's generation pointer on a real MongoDB-wire server: one rebuild at a
 * time, taken over only from a process that stopped saying so; the serving generation moves
 * only for the rebuild's holder; a generation's collections are its own and can be dropped.
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import { MongoGenerations } from "../../shared/readmodel/mongoGenerations.js";
import { MongoReadModel } from "../../shared/readmodel/mongodb.js";
import type { ClusterSettings } from "../../shared/config.js";
import { MongoReadSide } from "../../shared/runtime/clusterReadSide.js";
import { RebuildRunning } from "../../shared/readmodel/projections.js";
import { RebuildProgress } from "../../shared/readmodel/rebuildProgress.js";
import { mongodbUrl, requireServers } from "../support/cluster.js";
import { customerDocument } from "../support/documents.js";
import { dropDatabase } from "../support/mongoDatabase.js";

if (requireServers(t, "MongoDB generations suite", ["mongodb"])) {
  const database = `generations_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  t.teardown(() => dropDatabase(mongodbUrl, database));

  t.test("one rebuild at a time; the pointer moves for its holder only", async (t) => {
    const generations = await MongoGenerations.connect(mongodbUrl, database, 5_000);
    t.teardown(() => generations.close());
    t.same(await generations.status(), { serving: 0, rebuild: null }, "no pointer yet: the first generation serves");

    t.equal(await generations.claim("a", 1_000, 30_000), 1, "the rebuild after generation 0 builds generation 1");
    await t.rejects(generations.claim("b", 2_000, 30_000), RebuildRunning, "another process is refused while it runs");
    const view = new RebuildProgress(1, "10", 1_000).view(1_500);
    t.equal(await generations.report("a", view, 1_500), true);
    t.match((await generations.status()).rebuild, { generation: 1, state: "building" }, "its progress is there for every process");
    t.equal(await generations.switchServing("b", 1, view), false, "only the holder moves the pointer");
    t.equal(await generations.serving(), 0);
    t.equal(await generations.switchServing("a", 1, view), true);
    t.equal(await generations.serving(), 1);
    await generations.release("a", view);
    t.equal(await generations.claim("b", 3_000, 30_000), 2, "once released, the next rebuild builds the generation after the serving one");

    // "b" dies: after 30 s without a word, "c" may take over, and "b" learns it has lost it.
    t.equal(await generations.claim("c", 3_000 + 30_001, 30_000), 2);
    t.equal(await generations.report("b", view, 3_000 + 30_002), false);
  });

  t.test("each generation has collections of its own, and dropping one leaves the others", async (t) => {
    const first = await MongoReadModel.connect(mongodbUrl, database, { generation: 0 });
    const third = await MongoReadModel.connect(mongodbUrl, database, { generation: 3 });
    const generations = await MongoGenerations.connect(mongodbUrl, database, 5_000);
    t.teardown(async () => {
      await first.close();
      await third.close();
      await generations.close();
    });
    await first.customers.save([{ document: customerDocument({ id: "cus_first", revision: 0 }), previousRevision: null }]);
    await third.customers.save([{ document: customerDocument({ id: "cus_third", revision: 0 }), previousRevision: null }]);
    t.same([await first.customers.ids(), await third.customers.ids()], [["cus_first"], ["cus_third"]]);
    await generations.drop(0);
    t.same([await first.customers.ids(), await third.customers.ids()], [[], ["cus_third"]]);
    await generations.drop(0);
    await generations.drop(7);
    t.pass("dropping what is not there is fine");
  });

  t.test("a process that looks at the pointer twice at once switches once", async (t) => {
    const own = `${database}_side`;
    t.teardown(() => dropDatabase(mongodbUrl, own));
    const cluster = { mongodbUrl, mongodbDatabase: own, mongodbTimeoutMs: 5_000 } as ClusterSettings;
    const switches: object[] = [];
    const logger = { info: (fields: object, message?: string) => void (message?.includes("serving generation changed") && switches.push(fields)), debug() {}, warn() {}, error() {} };
    const side = await MongoReadSide.open(cluster, {}, logger);
    const generations = await MongoGenerations.connect(mongodbUrl, own, 5_000);
    t.teardown(async () => {
      await side.close();
      await generations.close();
    });
    const generation = await generations.claim("rebuilder", Date.now(), 30_000);
    t.ok(await generations.switchServing("rebuilder", generation, new RebuildProgress(generation, undefined, Date.now()).view(Date.now())));
    // A rebuild's look and the timer's, at the same moment.
    await Promise.all([side.refresh(), side.refresh(), side.refresh()]);
    t.equal(side.readModel.serving.generation, generation);
    t.same(switches, [{ generation, previous: 0 }], "one switch, one generation opened");
  });
}
