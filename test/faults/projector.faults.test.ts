/**
 * The projector killed with SIGKILL under load and restarted 30 s later (on the shared
 * servers, which this fault does not touch): every acknowledged create reaches the read model.
 */
import t from "tap";
import { kafkaBrokers, mongodbUrl, requireServers } from "../support/cluster.js";
import { runFaultScenario } from "../support/faultScenario.js";

if (requireServers(t, "Cluster fault suite (projector)", ["kafka", "mongodb"])) {
  t.setTimeout(5 * 60_000);
  t.test("the projector killed for 30 s under load: the read model catches up", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafkaBrokers.join(","),
      mongodbUrl,
      fault: {
        name: "projector killed (SIGKILL), restarted",
        inject: async (roles) => void (await roles.projector.kill("SIGKILL")),
        heal: (roles) => roles.projector.start(),
        // The projector is gone (no health to ask), and the publisher is not stopped by it.
        stops: [],
      },
    }),
  );
}
