/**
 * `npm run cluster` end to end, against the servers already running (never stopping them:
 * --keep-servers, and they were running before): one command service and one projector on
 * free ports and a fresh data directory; a customer created and read back with a token; the
 * publisher's and the projector's /metrics on their health ports;
 * Ctrl-C (SIGINT) stops every role it started and frees its ports; a Ctrl-C while it starts a
 * server of its own (a private FerretDB) stops that server too.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import t from "tap";
import { READY_LINE } from "../../services/cli/cluster/summary.js";
import { signAdminToken } from "../../shared/auth/adminToken.js";
import { freePort } from "../../shared/runtime/roleProcess.js";
import { parseScrape, sampleValue } from "../support/prometheusText.js";
import { kafkaBrokers, mongodbUrl, requireServers } from "../support/cluster.js";

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/** A port with the next two free as well: the command service's, the publisher's and the projector's health. */
async function freePortBlock(size: number): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + size > 65535) continue;
    let free = true;
    for (let next = port + 1; next < port + size && free; next += 1) free = await portFree(next);
    if (free) return port;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

if (requireServers(t, "Local cluster command", ["kafka", "mongodb"])) {
  t.setTimeout(90_000);
  const run = randomUUID().replaceAll("-", "").slice(0, 10);
  const dataDir = mkdtempSync(join(tmpdir(), "customers-local-cluster-"));
  const database = `local_cluster_${run}`;
  const secret = "local-cluster-secret";
  const metricsToken = "local-cluster-metrics-token";
  const topics = [`customers.events.${run}`, `customers.medusa-events.${run}`, `customers.read-model.${run}`];
  let cli: ChildProcess | undefined;
  let output = "";
  const pids = () => [...output.matchAll(/ started \(PID (\d+)/g)].map((match) => Number(match[1]));

  t.teardown(async () => {
    // Never left running, whatever failed: the roles by their PIDs, then the command itself.
    for (const pid of pids()) if (alive(pid)) process.kill(pid, "SIGKILL");
    if (cli?.exitCode === null) cli.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    const client = await MongoClient.connect(mongodbUrl);
    await client.db(database).dropDatabase();
    await client.close();
    const admin = new Kafka({ brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: topics.filter((topic) => existing.has(topic)) });
    await admin.disconnect();
  });

  t.test("starts, serves a customer, and stops everything on SIGINT", async (t) => {
    const port = await freePortBlock(3);
    const started = Date.now();
    cli = spawn(
      process.execPath,
      ["dist/services/cli/cluster.js", "--keep-servers", "--commands", "1", "--projectors", "1", "--port", String(port), "--data-dir", dataDir],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: kafkaBrokers.join(","),
          MONGODB_URL: mongodbUrl,
          // This run's own names on the shared servers.
          MONGODB_DATABASE: database,
          EVENTS_TOPIC: topics[0],
          MEDUSA_EVENTS_TOPIC: topics[1],
          READ_MODEL_NOTICES_TOPIC: topics[2],
          PROJECTOR_GROUP_ID: `customers-read-model-${run}`,
          POSTGRES_URL: "",
          JWT_SECRET: secret,
          METRICS_TOKEN: metricsToken,
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => cli!.once("exit", (code, signal) => resolve({ code, signal })));
    const ready = new Promise<void>((resolve, reject) => {
      const take = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(READY_LINE)) resolve();
      };
      cli!.stdout!.on("data", take);
      cli!.stderr!.on("data", take);
      void exited.then(({ code }) => reject(new Error(`npm run cluster exited (${code}) before it was ready:\n${output}`)));
      setTimeout(() => reject(new Error(`not ready after 60 s:\n${output}`)), 60_000).unref();
    });
    await ready;
    t.equal(pids().length, 3, "a command service, the publisher and a projector");
    t.match(output, /\[kafka\] running already .* left running/, "the running Kafka is used as it is");
    t.match(output, /command-1 +\| /, "the roles' lines carry their names");
    t.notMatch(output, /\u001b\[/, "no colors when the output is not a terminal");

    const api = `http://127.0.0.1:${port}`;
    const token = signAdminToken({ secret, actorId: "user_local_cluster", now: new Date(), expiresInSeconds: 600 });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = await fetch(`${api}/admin/customers`, { method: "POST", headers, body: JSON.stringify({ email: `ada-${run}@example.com`, first_name: "Ada" }) });
    t.equal(created.status, 200, "created");
    const { customer } = (await created.json()) as { customer: { id: string } };
    const read = await fetch(`${api}/admin/customers/${customer.id}`, { headers });
    t.equal(read.status, 200, "read back");
    t.match(await read.json(), { customer: { id: customer.id, email: `ada-${run}@example.com`, first_name: "Ada" } });

    // The publisher and the projector answer /metrics on their health ports, to the token only.
    const scrape = async (rolePort: number) => {
      const refused = await fetch(`http://127.0.0.1:${rolePort}/metrics`, { headers: { authorization: "Bearer not-the-token-at-all" } });
      t.equal(refused.status, 401, `port ${rolePort}: another token is refused`);
      const answer = await fetch(`http://127.0.0.1:${rolePort}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      t.equal(answer.status, 200, `port ${rolePort}: scraped`);
      return parseScrape(await answer.text());
    };
    const publisherScrape = await scrape(port + 1);
    t.equal(publisherScrape.families.get("customers_publisher_lag_events"), "gauge");
    // The customer was read back, so its event was published: nothing waits on the events topic.
    t.equal(sampleValue(publisherScrape, "customers_publisher_lag_events", { topic: topics[0]! }), 0, "the events topic's publisher is up to date");
    t.ok(publisherScrape.samples.some((sample) => sample.name === "customers_publisher_lag_events" && sample.labels.topic === topics[1]), "the Medusa topic's publisher has its own series");
    t.ok(sampleValue(publisherScrape, "process_resident_memory_bytes") > 0, "with the process's metrics");
    const projectorScrape = await scrape(port + 2);
    t.ok(
      projectorScrape.samples.some((sample) => sample.name === "customers_kafka_consumer_group_lag_messages" && sample.labels.topic === topics[0] && sample.labels.group === `customers-read-model-${run}`),
      "the projector's consumer group lag, by topic and group",
    );

    const roles = pids();
    const asked = Date.now();
    cli.kill("SIGINT");
    const exit = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 30 s after SIGINT:\n${output}`)), 30_000).unref())]);
    t.same(exit, { code: 0, signal: null }, "exits 0 when asked to stop");
    t.ok(Date.now() - asked < 30_000, `stopped in ${Date.now() - asked} ms`);
    t.same(roles.filter(alive), [], "every role process has exited");
    for (const used of [port, port + 1, port + 2]) t.ok(await portFree(used), `port ${used} is free`);
    t.match(output, /command-1 \(PID \d+\) stopped: exit 0[\s\S]*publisher \(PID \d+\) stopped: exit 0[\s\S]*projector-1 \(PID \d+\) stopped: exit 0/, "the roles stopped in order");
    t.notMatch(output, /\[(kafka|ferretdb)\] stopping/, "the shared servers are left alone");
    t.ok(Date.now() - started < 80_000, `the whole run took ${Date.now() - started} ms`);
  });

  t.test("Ctrl-C while a server it starts is still starting: that server is stopped too", async (t) => {
    // A FerretDB of this test's own (its port and data; the binary the shared one was built
    // into), which the command starts because MONGODB_URL is left to the local default.
    const ferretdbPort = await freePort();
    const ferretdbData = mkdtempSync(join(tmpdir(), "customers-local-ferretdb-"));
    t.teardown(() => {
      spawnSync("bash", ["scripts/servers/ferretdb.sh", "stop"], { env: { ...process.env, FERRETDB_PORT: String(ferretdbPort), FERRETDB_DATA_DIR: ferretdbData }, stdio: "ignore" });
      rmSync(ferretdbData, { recursive: true, force: true });
    });
    let lines = "";
    const child = spawn(process.execPath, ["dist/services/cli/cluster.js", "--port", String(await freePortBlock(3)), "--data-dir", join(dataDir, "ctrl-c")], {
      env: { ...process.env, KAFKA_BROKERS: kafkaBrokers.join(","), MONGODB_URL: "", FERRETDB_PORT: String(ferretdbPort), FERRETDB_DATA_DIR: ferretdbData, POSTGRES_URL: "", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    // Ctrl-C at the script's first line: it has begun to start the server, which is not ready yet.
    await new Promise<void>((resolve, reject) => {
      const take = (chunk: Buffer) => {
        lines += chunk.toString();
        if (/\[ferretdb\]/.test(lines.replace(/.*running already.*/g, ""))) resolve();
      };
      child.stdout!.on("data", take);
      child.stderr!.on("data", take);
      void exited.then(() => reject(new Error(`exited before starting FerretDB:\n${lines}`)));
      setTimeout(() => reject(new Error(`FerretDB not being started after 30 s:\n${lines}`)), 30_000).unref();
    });
    child.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 60 s after SIGINT:\n${lines}`)), 60_000).unref())]);
    t.equal(code, 0, "exits 0 when asked to stop");
    t.notMatch(lines, /started \(PID/, "no role was started");
    t.match(lines, /\[ferretdb\] stopp/, `the FerretDB it was starting is stopped:\n${lines}`);
    t.ok(await portFree(ferretdbPort), `nothing listens on ${ferretdbPort} any more`);
  });
}
