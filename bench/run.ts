/**
 * `npm run bench`: starts the service the way users run it (its own processes, a fresh data
 * directory), warms it up, then drives it over loopback HTTP with autocannon for a fixed time
 * per scenario and concurrency. Prints a table and writes the figures as JSON to bench/results/.
 *
 * Modes: "embedded" (npm start's one process) always; "cluster" (command, publisher and
 * projector as three processes over Kafka and MongoDB/FerretDB) when KAFKA_BROKERS and
 * MONGODB_URL are set, e.g. after `npm run servers:up`.
 *
 *   BENCH_SECONDS      seconds per measurement (default 10)
 *   BENCH_CONNECTIONS  comma-separated concurrencies (default 1,16,64)
 *   BENCH_MODES        comma-separated modes to run (default: every available one)
 *   BENCH_CLIENT       "autocannon" to use it even where wrk is installed
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { signAdminToken } from "../shared/auth/adminToken.js";
import { RoleProcess, freePort } from "../test/support/roles.js";
import { type Scenario, chooseLoadClient } from "./loadClients.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "1,16,64").split(",").map(Number);
const SECRET = "bench-secret";
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? "";
const MONGODB_URL = process.env.MONGODB_URL ?? "";
const AVAILABLE_MODES = ["embedded", ...(KAFKA_BROKERS && MONGODB_URL ? ["cluster"] : [])];
const MODES = (process.env.BENCH_MODES ?? AVAILABLE_MODES.join(",")).split(",").filter((mode) => AVAILABLE_MODES.includes(mode));
let BASE = "";

interface Row {
  mode: string;
  scenario: string;
  connections: number;
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  non_2xx: number;
}

interface RunningMode {
  roles: RoleProcess[];
  cleanup(): Promise<void>;
}

/** Starts the processes of one mode, as users run them, and points BASE at its API. */
async function startMode(mode: string): Promise<RunningMode> {
  const dataDir = mkdtempSync(join(tmpdir(), "customers-bench-"));
  const port = await freePort();
  BASE = `http://127.0.0.1:${port}`;
  const common = { HOST: "127.0.0.1", JWT_SECRET: SECRET, DATA_DIR: dataDir, LOG_LEVEL: "warn", NODE_ENV: "production" };
  if (mode === "embedded") {
    // Blank cluster settings: the embedded mode must not pick them up from this shell.
    const command = new RoleProcess("command", { ...common, PORT: String(port), KAFKA_BROKERS: "", MONGODB_URL: "", KURRENTDB_URL: "" }, `${BASE}/health`);
    await command.start();
    return { roles: [command], cleanup: async () => void (await command.kill(), rmSync(dataDir, { recursive: true, force: true })) };
  }
  const run = randomUUID().slice(0, 8);
  const cluster = {
    ...common,
    KAFKA_BROKERS,
    MONGODB_URL,
    MONGODB_DATABASE: `bench_${run}`,
    EVENTS_TOPIC: `customers.events.bench-${run}`,
    READ_MODEL_NOTICES_TOPIC: `customers.read-model.bench-${run}`,
  };
  const [publisherHealth, projectorHealth] = [await freePort(), await freePort()];
  const projector = new RoleProcess("projector", { ...cluster, HEALTH_PORT: String(projectorHealth) }, `http://127.0.0.1:${projectorHealth}/health`);
  const publisher = new RoleProcess("publisher", { ...cluster, HEALTH_PORT: String(publisherHealth) }, `http://127.0.0.1:${publisherHealth}/health`);
  const command = new RoleProcess("command", { ...cluster, PORT: String(port) }, `${BASE}/health`);
  await projector.start();
  await publisher.start();
  await command.start();
  return {
    roles: [command, publisher, projector],
    async cleanup() {
      await Promise.all([command.kill(), publisher.kill(), projector.kill()]);
      const client = new MongoClient(MONGODB_URL);
      await client.connect();
      await client.db(cluster.MONGODB_DATABASE).dropDatabase();
      await client.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function peakMemoryMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

const authorization = `Bearer ${signAdminToken({ secret: SECRET, actorId: "user_bench", now: new Date(), expiresInSeconds: 86_400 })}`;
const client = chooseLoadClient(process.env.BENCH_CLIENT);

async function seedIds(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${BASE}/admin/customers`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify({ first_name: `Seed ${i}` }),
    });
    ids.push(((await response.json()) as { customer: { id: string } }).customer.id);
  }
  return ids;
}

async function benchMode(mode: string, rows: Row[]): Promise<Record<string, number>> {
  const running = await startMode(mode);
  try {
    await client.run(BASE, authorization, { name: "warm-up", kind: { type: "create" } }, 16, 3);
    const ids = await seedIds(1000);
    const scenarios: Scenario[] = [
      { name: "create", kind: { type: "create" } },
      { name: "retrieve", kind: { type: "retrieve", ids } },
    ];
    for (const scenario of scenarios) {
      for (const connections of CONNECTIONS) {
        const result = await client.run(BASE, authorization, scenario, connections, SECONDS);
        rows.push({
          mode,
          scenario: scenario.name,
          connections,
          requests_per_second: result.requestsPerSecond,
          p50_ms: result.p50Ms,
          p99_ms: result.p99Ms,
          errors: result.errors,
          non_2xx: result.non2xx,
        });
        console.error(`${mode} ${scenario.name} @${connections}: ${result.requestsPerSecond}/s`);
      }
    }
    return Object.fromEntries(running.roles.map((role) => [role.role, peakMemoryMiB(role.pid!)]));
  } finally {
    await running.cleanup();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const peaks: Record<string, Record<string, number>> = {};
  for (const mode of MODES) peaks[mode] = await benchMode(mode, rows);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; load from ${client.name} on the same machine`;
  console.log(`\nMachine: ${machine}; ${SECONDS} s per row; peak RSS (MiB) by role: ${JSON.stringify(peaks)}\n`);
  console.log("| mode | scenario | connections | req/s | p50 ms | p99 ms | errors | non-2xx |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) {
    console.log(`| ${row.mode} | ${row.scenario} | ${row.connections} | ${row.requests_per_second} | ${row.p50_ms} | ${row.p99_ms} | ${row.errors} | ${row.non_2xx} |`);
  }
  if (!MODES.includes("cluster")) console.log("\n(cluster mode not run: set KAFKA_BROKERS and MONGODB_URL, e.g. after `npm run servers:up`)");
  mkdirSync("bench/results", { recursive: true });
  const file = join("bench/results", `${new Date().toISOString().replaceAll(":", "-")}.json`);
  writeFileSync(file, JSON.stringify({ machine, seconds: SECONDS, peak_rss_mib: peaks, rows }, null, 2));
  console.log(`\nFigures written to ${file}`);
}

await main();
