/**
 * The cluster on PostgreSQL: two command services on different ports, a publisher and a
 * projector, each a process of its own with a data directory of its own, sharing nothing but
 * servers (PostgreSQL for the events, checkpoints and data keys; Kafka; the MongoDB-wire
 * server for the read model and sessions). Checks that a write on one service reads on the
 * other, the 64-way duplicate-email race split across both services, a session opened on one
 * and used on the other, and that a publisher killed with SIGKILL under load loses and
 * duplicates nothing.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import pg from "pg";
import t from "tap";
import { signAdminToken } from "../../shared/auth/adminToken.js";
import { PostgresEventStore } from "../../shared/eventstore/postgres.js";
import { awaitConvergence } from "../support/convergence.js";
import { MongoReadModel } from "../../shared/readmodel/mongodb.js";
import { RoleProcess, freePort } from "../../shared/runtime/roleProcess.js";
import { createAdminUserIn } from "../support/auth.js";
import { kafkaBrokers, mongodbUrl, postgresUrl, requireServers } from "../support/cluster.js";
import { openedEventStore } from "../support/openedStore.js";

if (requireServers(t, "PostgreSQL cluster suite", ["kafka", "mongodb", "postgres"])) {
  // Whole processes started, killed and caught up, on a machine that may be busy: more than
  // the default three minutes per file.
  t.setTimeout(10 * 60_000);
  const run = randomUUID().replaceAll("-", "").slice(0, 10);
  const secret = "postgres-cluster-secret";
  const token = signAdminToken({ secret, actorId: "user_pgcluster", now: new Date(), expiresInSeconds: 3600 });
  const database = `pgcluster_${run}`;
  const schema = `cluster_${run}`;
  const eventsTopic = `customers.events.pg.${run}`;
  const masterKeyHex = randomBytes(32).toString("hex");
  /** What decides the key store, for the suite's own look at the events (test/support/openedStore.ts). */
  const storeEnv = { ENCRYPTION_KEY: masterKeyHex, POSTGRES_URL: postgresUrl, POSTGRES_SCHEMA: schema };
  const dataDirs: string[] = [];
  // Every process a data directory of its own: nothing is shared through the disk.
  const ownDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "customers-pgcluster-"));
    dataDirs.push(dir);
    return dir;
  };
  const env = (extra: Record<string, string>) => ({
    NODE_ENV: "production",
    JWT_SECRET: secret,
    ...storeEnv,
    KAFKA_BROKERS: kafkaBrokers.join(","),
    MONGODB_URL: mongodbUrl,
    MONGODB_DATABASE: database,
    EVENTS_TOPIC: eventsTopic,
    MEDUSA_EVENTS_TOPIC: "",
    READ_MODEL_NOTICES_TOPIC: `customers.read-model.pg.${run}`,
    PROJECTOR_GROUP_ID: `customers-read-model-pg-${run}`,
    TRUST_PROXY: "loopback",
    DATA_DIR: ownDataDir(),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    READ_MODEL_WAIT_MS: "3000",
    ...extra,
  });

  let commands: RoleProcess[] = [];
  let publisher: RoleProcess;
  let projector: RoleProcess;
  let urls: string[] = [];
  const post = async (url: string, body: unknown) => {
    const response = await fetch(`${url}/admin/customers`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as any };
  };

  t.before(async () => {
    const [a, b, publisherHealth, projectorHealth] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    urls = [`http://127.0.0.1:${a}`, `http://127.0.0.1:${b}`];
    commands = [a, b].map((port) => new RoleProcess("command", env({ PORT: String(port) }), `http://127.0.0.1:${port}/health`));
    publisher = new RoleProcess("publisher", env({ HEALTH_PORT: String(publisherHealth) }), `http://127.0.0.1:${publisherHealth}/health`);
    projector = new RoleProcess("projector", env({ HEALTH_PORT: String(projectorHealth) }), `http://127.0.0.1:${projectorHealth}/health`);
    await projector.start();
    await Promise.all([publisher.start(), ...commands.map((command) => command.start())]);
  });

  t.teardown(async () => {
    await Promise.all([...commands.map((command) => command.kill()), publisher?.kill(), projector?.kill()]);
    const client = new MongoClient(mongodbUrl);
    await client.connect();
    await client.db(database).dropDatabase();
    await client.close();
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}_keys" CASCADE`);
    await admin.end();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  t.afterEach(async (t) => {
    if (t.passing()) return;
    for (const role of [...commands, publisher, projector]) {
      const errors = role.output().split("\n").filter((line) => line.includes('"level":50')).slice(-20);
      console.error(`--- ${role.role} errors ---\n${errors.join("\n")}\n--- ${role.role} output ---\n${role.output().slice(-4000)}`);
    }
  });

  t.test("a create on one command service is read on the other; its events are in PostgreSQL, sealed on Kafka", async (t) => {
    const email = `pg.${run}@example.com`;
    const created = await post(urls[0]!, { email, first_name: "Postgres" });
    t.equal(created.status, 200);
    const id = created.json.customer.id as string;
    t.match(created.json.customer, { email, first_name: "Postgres", created_by: "user_pgcluster" });
    const read = await fetch(`${urls[1]}/admin/customers/${id}`, { headers: { authorization: `Bearer ${token}` } });
    t.same(((await read.json()) as { customer: unknown }).customer, created.json.customer, "the other service answers the same document");

    const db = new pg.Client({ connectionString: postgresUrl });
    await db.connect();
    t.teardown(() => db.end());
    const { rows } = await db.query(`SELECT stream, type, data::text AS data FROM "${schema}".events WHERE stream = $1`, [`customer-${id}`]);
    t.same(rows.map((row) => row.type), ["CustomerCreated"]);
    t.notOk(rows[0].data.includes("Postgres"), "the personal fields are sealed in the event store");
    const keys = await db.query(`SELECT count(*)::int AS n FROM "${schema}_keys".data_keys WHERE subject = $1`, [id]);
    t.equal(keys.rows[0].n, 1, "the customer's data key is in PostgreSQL, in the keys' own schema");

    const kafka = new Kafka({ clientId: "pg-cluster-suite", brokers: kafkaBrokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `pg-cluster-suite-observer-${run}` });
    await consumer.connect();
    await consumer.subscribe({ topic: eventsTopic, fromBeginning: true });
    const message = await new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the event did not arrive on Kafka")), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() !== id) return;
          clearTimeout(timer);
          resolve(JSON.parse(message.value!.toString()));
        },
      });
    });
    await consumer.disconnect();
    t.match(message, { type: "CustomerCreated", stream: `customer-${id}`, stream_revision: 0, position: /^\d+\/\d+$/ });
    t.notOk(JSON.stringify(message).includes("Postgres"), "sealed on Kafka too");
  });

  t.test("64 concurrent creates with one email, split across both command services: one customer", async (t) => {
    const email = `race.${run}@example.com`;
    const responses = await Promise.all(Array.from({ length: 64 }, (_, i) => post(urls[i % 2]!, { email })));
    const won = responses.filter((r) => r.status === 200);
    t.equal(won.length, 1, "one create wins");
    t.equal(responses.filter((r) => r.status === 400 && r.json.message === `Customer with email: ${email}, has_account: false, already exists.`).length, 63, "every other is told the email is taken");
    const listed = await fetch(`${urls[1]}/admin/customers?email=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${token}` } });
    t.equal(((await listed.json()) as { count: number }).count, 1, "one customer with that email in the read model");
  });

  t.test("a session opened on one command service works on the other, and logging out there ends it on both", async (t) => {
    const email = `admin.${run}@example.com`;
    const store = new PostgresEventStore(postgresUrl, { schema });
    await createAdminUserIn(store, email, "postgres cluster password");
    await store.close();
    const login = await fetch(`${urls[0]}/auth/user/emailpass`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "postgres cluster password" }),
    });
    t.equal(login.status, 200);
    const { token: userToken } = (await login.json()) as { token: string };
    const opened = await fetch(`${urls[0]}/auth/session`, { method: "POST", headers: { authorization: `Bearer ${userToken}`, "x-forwarded-proto": "https" } });
    const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0]!;
    t.match(cookie, /^connect\.sid=s%3A/);
    const created = await fetch(`${urls[1]}/admin/customers`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: "{}" });
    t.equal(created.status, 200, "the other command service accepts the session");
    t.match(((await created.json()) as { customer: { created_by: string } }).customer.created_by, /^user_/, "as the logged-in user");
    const logout = await fetch(`${urls[1]}/auth/session`, { method: "DELETE", headers: { cookie } });
    t.same(await logout.json(), { success: true });
    t.equal((await fetch(`${urls[0]}/admin/customers?limit=1`, { headers: { cookie } })).status, 401, "logged out on the first one too");
  });

  t.test("a publisher killed with SIGKILL under load on both command services loses and duplicates nothing", async (t) => {
    const accepted: string[] = [];
    const failures: string[] = [];
    let running = true;
    const load = (async () => {
      let n = 0;
      while (running) {
        const batch = await Promise.all(Array.from({ length: 8 }, (_, i) => post(urls[i % 2]!, { email: `load.${run}.${(n += 1)}@example.com` })));
        for (const response of batch) {
          if (response.status === 200) accepted.push(response.json.customer.id);
          else failures.push(`${response.status} ${JSON.stringify(response.json).slice(0, 200)}`);
        }
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await publisher.kill("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await publisher.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    running = false;
    await load;
    t.same(failures.slice(0, 5), [], "every write was accepted while the publisher was down");
    t.ok(accepted.length > 50, `writes went on during the outage (${accepted.length})`);

    const readModel = await MongoReadModel.connect(mongodbUrl, database);
    t.teardown(() => readModel.close());
    const store = await openedEventStore(ownDataDir(), storeEnv, new PostgresEventStore(postgresUrl, { schema }));
    t.teardown(() => store.close());
    const report = await awaitConvergence(store, readModel, 60_000);
    for (const id of accepted) t.ok(await readModel.customers.get(id), `accepted ${id} is in the read model`, { diagnostic: false });
    t.same(report.missing, [], "the read model misses nothing of the event store");
    t.same(report.different, [], "every document equals the fold of its stream");
    t.same(report.extra, [], "no document without a stream that makes it");
    const client = new MongoClient(mongodbUrl);
    await client.connect();
    t.teardown(() => client.close());
    const db = client.db(database);
    const count = (await db.collection("customers").countDocuments()) + (await db.collection("customer_groups").countDocuments());
    t.equal(count, report.expected, "exactly one document per customer and per group");
  });
}
