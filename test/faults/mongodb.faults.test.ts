/**
 * MongoDB-wire server faults under load: a private FerretDB (its own port and data, started
 * by scripts/servers/ferretdb.sh) paused for 30 s, then killed and restarted 30 s later. Writes
 * must keep being answered (from their own events when the read model cannot be read), and
 * every acknowledged create must reach the read model without a manual step.
 */
import t from "tap";
import { MongoReadModel } from "../../shared/readmodel/mongodb.js";
import { ReadModelUnavailable } from "../../shared/readmodel/port.js";
import { kafkaBrokers, requireServers } from "../support/cluster.js";
import { customerDocument } from "../support/documents.js";
import { runFaultScenario } from "../support/faultScenario.js";
import { ScriptedServer } from "../support/scriptedServer.js";

if (requireServers(t, "Cluster fault suite (MongoDB)", ["kafka", "mongodb"])) {
  t.setTimeout(10 * 60_000);
  let ferretdb: ScriptedServer;
  t.before(async () => {
    ferretdb = await ScriptedServer.ferretdb();
    await ferretdb.up();
  });
  t.teardown(() => ferretdb?.clean());

  t.test("a paused server makes read-model operations fail within their bound, never pass for done", async (t) => {
    const readModel = await MongoReadModel.connect(ferretdb.address, "paused_operations", { timeoutMs: 1_000 });
    t.teardown(() => readModel.close());
    const document = customerDocument({ id: "cus_paused" });
    ferretdb.pause();
    try {
      const started = Date.now();
      await t.rejects(readModel.saveCustomers([{ document, previousRevision: null }]), "an insert the server never answered is not reported as saved");
      await t.rejects(readModel.getCustomer(document.id), ReadModelUnavailable, "a read fails as unavailable");
      t.ok(Date.now() - started < 10_000, `both gave up within their bounds (${Date.now() - started} ms)`);
    } finally {
      ferretdb.resume();
    }
    await readModel.saveCustomers([{ document, previousRevision: null }]);
    t.same(await readModel.getCustomer(document.id), document, "once the server is back, the same save goes through");
  });

  t.test("the MongoDB-wire server paused for 30 s under load: writes answered, the read model catches up", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafkaBrokers.join(","),
      mongodbUrl: ferretdb.address,
      fault: { name: "FerretDB paused (SIGSTOP, SIGCONT)", inject: () => ferretdb.pause(), heal: () => ferretdb.resume(), stops: ["projector"] },
    }),
  );

  t.test("the MongoDB-wire server killed and restarted 30 s later under load: the read model catches up", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafkaBrokers.join(","),
      mongodbUrl: ferretdb.address,
      fault: { name: "FerretDB killed (SIGKILL), restarted", inject: () => ferretdb.kill(), heal: () => ferretdb.up(), stops: ["projector"] },
    }),
  );
}
