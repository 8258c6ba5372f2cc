/**
 * Kafka faults under load: a private broker (its own ports and data, started by
 * scripts/servers/kafka.sh) behind a TCP proxy of the tests' own, which the broker advertises,
 * so every connection of every role goes through it. The broker paused for 30 s, killed and
 * restarted 30 s later; the line black-holed and reset for 15 s. Every acknowledged write
 * must reach the read model without a manual step. The MongoDB-wire server is a private one
 * too: the catch-up after each fault is bounded by its write speed (FerretDB writes one at a
 * time), which other suites writing to a shared server at the same moment would steal.
 */
import t from "tap";
import { requireServers } from "../support/cluster.js";
import { runFaultScenario } from "../support/faultScenario.js";
import { ScriptedServer } from "../support/scriptedServer.js";
import { freePort } from "../../shared/runtime/roleProcess.js";
import { TcpProxy } from "../support/tcpProxy.js";

if (requireServers(t, "Cluster fault suite (Kafka)", ["kafka", "mongodb"])) {
  // Waits its turn behind the other load tests (oneLoadAtATime.ts), then runs its own.
  t.setTimeout(40 * 60_000);
  let kafka: ScriptedServer;
  let ferretdb: ScriptedServer;
  let line: TcpProxy;
  let brokers: string;
  let mongodbUrl: string;
  t.before(async () => {
    ferretdb = await ScriptedServer.ferretdb();
    await ferretdb.up();
    mongodbUrl = ferretdb.address;
    const port = await freePort();
    line = await TcpProxy.start({ port });
    brokers = `127.0.0.1:${line.port}`;
    kafka = await ScriptedServer.kafka({ port, advertisedPort: line.port });
    await kafka.up();
  });
  t.teardown(async () => {
    await kafka?.clean();
    await ferretdb?.clean();
    await line?.close();
  });

  t.test("Kafka paused for 30 s under load: the read model catches up with every acknowledged write", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: brokers,
      mongodbUrl,
      fault: { name: "Kafka paused (SIGSTOP, SIGCONT)", inject: () => kafka.pause(), heal: () => kafka.resume(), stops: ["publisher", "projector"] },
    }),
  );

  t.test("Kafka killed and restarted 30 s later under load: the read model catches up", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: brokers,
      mongodbUrl,
      fault: { name: "Kafka killed (SIGKILL), restarted", inject: () => kafka.kill(), heal: () => kafka.up(), stops: ["publisher", "projector"] },
    }),
  );

  t.test("the line to Kafka black-holed for 15 s under load: nothing gets through either way, then everything does", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: brokers,
      mongodbUrl,
      faultMs: 15_000,
      fault: {
        name: "line to Kafka black-holed",
        inject: () => line.setFault({ kind: "black-hole" }),
        heal: () => line.setFault({ kind: "none" }),
        stops: ["publisher", "projector"],
      },
    }),
  );

  t.test("the line to Kafka reset for 15 s under load: every connection refused with RST, then accepted again", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: brokers,
      mongodbUrl,
      faultMs: 15_000,
      fault: {
        name: "line to Kafka reset",
        inject: () => line.setFault({ kind: "reset" }),
        heal: () => line.setFault({ kind: "none" }),
        stops: ["publisher", "projector"],
      },
    }),
  );
}
