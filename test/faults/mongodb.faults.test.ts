/**
 * MongoDB-wire server faults under load: a private FerretDB (its own port and data, started
 * by scripts/servers/ferretdb.sh) paused for 30 s, then killed and restarted 30 s later. Writes
 * must keep being answered (from their own events when the read model cannot be read), and
 * every acknowledged create must reach the read model without a manual step.
 */
import t from "tap";
import { kafkaBrokers, requireServers } from "../support/cluster.js";
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

  t.test("the MongoDB-wire server paused for 30 s under load: writes answered, the read model catches up", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafkaBrokers.join(","),
      mongodbUrl: ferretdb.address,
      fault: { name: "FerretDB paused (SIGSTOP, SIGCONT)", inject: () => ferretdb.pause(), heal: () => ferretdb.resume() },
    }),
  );

  t.test("the MongoDB-wire server killed and restarted 30 s later under load: the read model catches up", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafkaBrokers.join(","),
      mongodbUrl: ferretdb.address,
      fault: { name: "FerretDB killed (SIGKILL), restarted", inject: () => ferretdb.kill(), heal: () => ferretdb.up() },
    }),
  );
}
