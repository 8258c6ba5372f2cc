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
import { RoleProcess, freePort } from "../../shared/runtime/roleProcess.js";
import { ScriptedServer } from "../support/scriptedServer.js";
import { makeDataDir } from "../support/service.js";
import { TcpProxy } from "../support/tcpProxy.js";
import { signAdminToken } from "../../shared/auth/adminToken.js";

if (requireServers(t, "Cluster fault suite (MongoDB)", ["kafka", "mongodb"])) {
  // Waits its turn behind the other load tests (oneLoadAtATime.ts), then runs its own.
  t.setTimeout(40 * 60_000);
  let ferretdb: ScriptedServer;
  let line: TcpProxy;
  t.before(async () => {
    ferretdb = await ScriptedServer.ferretdb();
    await ferretdb.up();
    line = await TcpProxy.start({ port: ferretdb.port });
  });
  t.teardown(async () => {
    await line?.close();
    await ferretdb?.clean();
  });

  t.test("a paused server makes read-model operations fail within their bound, never pass for done", async (t) => {
    const readModel = await MongoReadModel.connect(ferretdb.address, "paused_operations", { timeoutMs: 1_000 });
    t.teardown(() => readModel.close());
    const document = customerDocument({ id: "cus_paused" });
    ferretdb.pause();
    try {
      const started = Date.now();
      await t.rejects(readModel.customers.save([{ document, previousRevision: null }]), "an insert the server never answered is not reported as saved");
      await t.rejects(readModel.customers.get(document.id), ReadModelUnavailable, "a read fails as unavailable");
      t.ok(Date.now() - started < 10_000, `both gave up within their bounds (${Date.now() - started} ms)`);
    } finally {
      ferretdb.resume();
    }
    await readModel.customers.save([{ document, previousRevision: null }]);
    t.same(await readModel.customers.get(document.id), document, "once the server is back, the same save goes through");
  });

  t.test("while the server is paused, cookie logins and sessions answer 503 with Retry-After, Bearer tokens are unaffected", async (t) => {
    const data = makeDataDir();
    t.teardown(() => data.remove());
    const secret = "session-fault-secret";
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const command = new RoleProcess(
      "command",
      {
        NODE_ENV: "test",
        LOG_LEVEL: "warn",
        HOST: "127.0.0.1",
        PORT: String(port),
        JWT_SECRET: secret,
        DATA_DIR: data.dir,
        POSTGRES_URL: "",
        KAFKA_BROKERS: kafkaBrokers.join(","),
        MONGODB_URL: ferretdb.address,
        MONGODB_DATABASE: "session_faults",
        MONGODB_TIMEOUT_MS: "1000",
        EVENTS_TOPIC: "customers.events.session-faults",
        MEDUSA_EVENTS_TOPIC: "customers.medusa-events.session-faults",
        READ_MODEL_NOTICES_TOPIC: "customers.read-model.session-faults",
      },
      `${base}/health`,
    );
    await command.start();
    t.teardown(() => command.kill());
    const bearer = `Bearer ${signAdminToken({ secret, actorId: "user_sessions", now: new Date(), expiresInSeconds: 600 })}`;
    const login = await fetch(`${base}/auth/session`, { method: "POST", headers: { authorization: bearer } });
    t.equal(login.status, 200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const withCookie = () => fetch(`${base}/admin/customers/cus_nobody`, { headers: { cookie } });
    t.equal((await withCookie()).status, 404, "the session works (and the customer is unknown)");

    ferretdb.pause();
    try {
      for (const [name, request] of [
        ["a request with the session cookie", withCookie],
        ["a new session", () => fetch(`${base}/auth/session`, { method: "POST", headers: { authorization: bearer } })],
      ] as const) {
        const started = Date.now();
        const res = await request();
        t.equal(res.status, 503, `${name}: 503`);
        t.equal(res.headers.get("retry-after"), "1");
        t.match(await res.json(), { type: "unexpected_state" });
        t.ok(Date.now() - started < 5000, `${name}: answered within the bound (${Date.now() - started} ms)`);
      }
      const create = await fetch(`${base}/admin/customers`, { method: "POST", headers: { authorization: bearer, "content-type": "application/json" }, body: "{}" });
      t.equal(create.status, 200, "a Bearer write is still accepted (answered from its events)");
    } finally {
      ferretdb.resume();
    }
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 404; attempt += 1) {
      status = (await withCookie()).status;
      if (status !== 404) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    t.equal(status, 404, "the session works again once the server is back");
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

  t.test("the line to the MongoDB-wire server black-holed for 15 s under load: the read model catches up", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafkaBrokers.join(","),
      mongodbUrl: `mongodb://127.0.0.1:${line.port}/?directConnection=true`,
      faultMs: 15_000,
      fault: { name: "line to FerretDB black-holed", inject: () => line.setFault({ kind: "black-hole" }), heal: () => line.setFault({ kind: "none" }), stops: ["projector"] },
    }),
  );

  t.test("the line to the MongoDB-wire server delayed by 1 s each way for 15 s under load: slower, never stuck", (t) =>
    runFaultScenario(t, {
      kafkaBrokers: kafkaBrokers.join(","),
      mongodbUrl: `mongodb://127.0.0.1:${line.port}/?directConnection=true`,
      faultMs: 15_000,
      fault: { name: "line to FerretDB delayed 1 s", inject: () => line.setFault({ kind: "delay", ms: 1_000 }), heal: () => line.setFault({ kind: "none" }), stops: [] },
    }),
  );
}
