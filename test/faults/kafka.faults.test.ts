/**
 * Kafka faults under load: a private broker (its own ports and data, started by
 * scripts/servers/kafka.sh) paused for 30 s, then killed and restarted 30 s later. Every
 * acknowledged create must reach the read model without a manual step.
 */
import t from "tap";
import { mongodbUrl, requireServers } from "../support/cluster.js";
import { runFaultScenario } from "../support/faultScenario.js";
import { ScriptedServer } from "../support/scriptedServer.js";

if (requireServers(t, "Cluster fault suite (Kafka)", ["kafka", "mongodb"])) {
  t.setTimeout(10 * 60_000);
  let kafka: ScriptedServer;
  t.before(async () => {
    kafka = await ScriptedServer.kafka();
    await kafka.up();
  });
  t.teardown(() => kafka?.clean());

  t.test("Kafka paused for 30 s under load: the read model catches up with every acknowledged create", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafka.address,
      mongodbUrl,
      fault: { name: "Kafka paused (SIGSTOP, SIGCONT)", inject: () => kafka.pause(), heal: () => kafka.resume(), stops: ["publisher", "projector"] },
    }),
  );

  t.test("Kafka killed and restarted 30 s later under load: the read model catches up", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafka.address,
      mongodbUrl,
      fault: { name: "Kafka killed (SIGKILL), restarted", inject: () => kafka.kill(), heal: () => kafka.up(), stops: ["publisher", "projector"] },
    }),
  );
}
