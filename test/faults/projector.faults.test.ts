/**
 * The projector killed with SIGKILL under load (on the shared servers, which this fault does
 * not touch): restarted 30 s later, when its group has long dropped it, and restarted at
 * once, while its dead member still holds the partitions and the group must rebalance around
 * it. Either way it must consume again within 15 s of its restart, and every acknowledged
 * write reaches the read model.
 */
import t from "tap";
import { kafkaBrokers, mongodbUrl, requireServers } from "../support/cluster.js";
import { runFaultScenario } from "../support/faultScenario.js";
import type { Fault } from "../support/faultScenario.js";

const projectorKilled = (name: string): Fault => ({
  name,
  inject: async (roles) => void (await roles.projector.kill("SIGKILL")),
  heal: (roles) => roles.projector.start(),
  // The projector is gone (no health to ask), and the publisher is not stopped by it.
  stops: [],
});

if (requireServers(t, "Cluster fault suite (projector)", ["kafka", "mongodb"])) {
  // Waits its turn behind the other load tests (oneLoadAtATime.ts), then runs its own.
  t.setTimeout(40 * 60_000);
  t.test("the projector killed for 30 s under load: it consumes again at once and the read model catches up", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafkaBrokers.join(","),
      mongodbUrl,
      fault: projectorKilled("projector killed (SIGKILL), restarted"),
      resumeBoundMs: 15_000,
    }),
  );

  t.test("the projector killed and restarted within its session timeout: it consumes again across the rebalance", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafkaBrokers.join(","),
      mongodbUrl,
      fault: projectorKilled("projector killed (SIGKILL), restarted 2 s later while its group still counts it"),
      faultMs: 2_000,
      resumeBoundMs: 15_000,
    }),
  );
}
