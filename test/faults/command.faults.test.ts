/**
 * The command service killed with SIGKILL under load, with requests in flight, and restarted
 * 5 s later (on the shared servers, which this fault does not touch). Requests in flight get
 * no answer; every acknowledged write is in the event store and the read model exactly once,
 * and a write that got no answer happened at most once.
 */
import t from "tap";
import { kafkaBrokers, mongodbUrl, requireServers } from "../support/cluster.js";
import { runFaultScenario } from "../support/faultScenario.js";

if (requireServers(t, "Cluster fault suite (command service)", ["kafka", "mongodb"])) {
  // Waits its turn behind the other load tests (oneLoadAtATime.ts), then runs its own.
  t.setTimeout(40 * 60_000);
  t.test("the command service killed with requests in flight: nothing acknowledged is lost, nothing is written twice", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafkaBrokers.join(","),
      mongodbUrl,
      faultMs: 5_000,
      fault: {
        name: "command service killed (SIGKILL) with requests in flight, restarted",
        inject: async (roles) => void (await roles.command.kill("SIGKILL")),
        heal: (roles) => roles.command.start(),
        stops: [],
        downsCommandService: true,
      },
    }),
  );
}
