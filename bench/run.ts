/**
 * `npm run bench`: starts the service the way users run it (its own processes, a fresh data
 * directory), warms it up, then drives it over loopback HTTP (wrk, or autocannon) for a fixed
 * time per scenario (create, retrieve, list, update) and concurrency; then measures the
 * projection lag (append to visible) and, in embedded mode, how soon a restart answers.
 * Prints tables and writes the figures as JSON to bench/results/. The usage text below lists
 * the modes, the phases and the variables that choose them.
 *
 * The throughput phase also measures the HTTP layer alone (bench/httpLayerAlone.ts: the same
 * validation, nothing durable) and prints each figure as a ratio to it. Each row also has the
 * CPU time the service's processes spent per request (from /proc; the load client and the
 * Kafka and MongoDB servers are not counted): on a machine whose cores are all busy, that is
 * what bounds the rate.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import pg from "pg";
import { signAdminToken } from "../shared/auth/adminToken.js";
import { type Preloaded, countEvents, openBenchStore, preloadCustomers, preloadedEmail, topUpWithUpdates } from "./preload.js";
import { RoleProcess, freePort } from "../shared/runtime/roleProcess.js";
import { type Scenario, chooseLoadClient } from "./loadClients.js";
import { HOPS, type HopFigures, measureClusterHops } from "./clusterHops.js";
import { type HelpVariable, formatVariables, parseCommandLine } from "../shared/runtime/cli.js";

/** The variables that choose what is measured, with their defaults. */
const MEASURED: HelpVariable[] = [
  { name: "BENCH_SECONDS", fallback: "10", meaning: "seconds per measurement" },
  { name: "BENCH_CONNECTIONS", fallback: "1,16,64", meaning: "concurrencies, comma-separated" },
  { name: "BENCH_MODES", meaning: "modes to run, comma-separated (default: every one available)" },
  {
    name: "BENCH_PHASES",
    fallback: "throughput,lag,hops,history,hostile",
    meaning: "phases to run: throughput (with the restart), lag, hops (a create hop by hop; cluster only), history (a long history; embedded only), hostile (latency during hostile lists; embedded only)",
  },
  { name: "BENCH_CLIENT", meaning: '"autocannon" to use it where wrk is installed too' },
  { name: "BENCH_CUSTOMERS", fallback: "100000", meaning: "customers stored before the throughput phase" },
  { name: "BENCH_RESTART_EVENTS", fallback: "1000000", meaning: "events in the store for the restart after it" },
  { name: "BENCH_HOP_SAMPLES", fallback: "300", meaning: "creates timed hop by hop" },
  { name: "BENCH_HISTORY_EVENTS", fallback: "10000", meaning: "events in the long customer's stream" },
  { name: "BENCH_HOSTILE_CUSTOMERS", fallback: "20000", meaning: "customers stored for the hostile lists" },
];
/** A measured variable's value, its default when it is not set. */
function setting(name: string): string {
  const fallback = MEASURED.find((variable) => variable.name === name)?.fallback;
  if (fallback === undefined) throw new Error(`${name} has no default`);
  return process.env[name] ?? String(fallback);
}

const usage = `Usage: npm run bench -- [--baseline FILE]

Measures the service as users run it: starts it in its own processes with a fresh data
directory, stores BENCH_CUSTOMERS customers, drives it over loopback HTTP (wrk when
installed, else autocannon) for BENCH_SECONDS per scenario (create, retrieve, list,
update) and concurrency, then measures the projection lag, a restart, the cost of a long
history and other requests' latency during hostile lists. Prints tables and writes the
figures as JSON to bench/results/. Takes tens of minutes with the defaults.

Modes: "embedded" (npm start's one process) always; "cluster" (three processes over Kafka
and MongoDB) when KAFKA_BROKERS and MONGODB_URL are set, e.g. after \`npm run servers:up\`;
"cluster on postgres" when POSTGRES_URL is set too.

  --baseline FILE  also print each figure's ratio to the same row of an earlier run's JSON
  -h, --help       show this text

${formatVariables([
  { title: "What is measured", variables: MEASURED },
  {
    title: "The servers of the cluster modes",
    variables: [
      { name: "KAFKA_BROKERS", meaning: "Kafka servers, comma-separated: 127.0.0.1:9092" },
      { name: "MONGODB_URL", meaning: "MongoDB (or FerretDB): mongodb://127.0.0.1:27017" },
      { name: "POSTGRES_URL", meaning: 'PostgreSQL, for "cluster on postgres"' },
    ],
  },
])}

Examples:
  npm run bench
  BENCH_MODES=embedded BENCH_SECONDS=5 BENCH_PHASES=throughput npm run bench
  npm run bench -- --baseline bench/results/<an earlier run>.json

Exit codes: 0 measured, 1 a measurement failed, 2 wrong options.`;

const options = parseCommandLine({ baseline: { type: "string" } }, usage);

const SECONDS = Number(setting("BENCH_SECONDS"));
const CONNECTIONS = setting("BENCH_CONNECTIONS").split(",").map(Number);
const SECRET = "bench-secret";
/** The master key of the customers' data keys (NODE_ENV=production asks for one). */
const ENCRYPTION_KEY = "be".repeat(32);
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? "";
const MONGODB_URL = process.env.MONGODB_URL ?? "";
const POSTGRES_URL = process.env.POSTGRES_URL ?? "";
const CLUSTER_ON_POSTGRES = "cluster on postgres";
const AVAILABLE_MODES = ["embedded", ...(KAFKA_BROKERS && MONGODB_URL ? ["cluster", ...(POSTGRES_URL ? [CLUSTER_ON_POSTGRES] : [])] : [])];
const PHASES = new Set(setting("BENCH_PHASES").split(","));
const MODES = (process.env.BENCH_MODES ?? AVAILABLE_MODES.join(",")).split(",").filter((mode) => AVAILABLE_MODES.includes(mode));
const CUSTOMERS = Number(setting("BENCH_CUSTOMERS"));
const RESTART_EVENTS = Number(setting("BENCH_RESTART_EVENTS"));
/** Creates timed hop by hop in cluster mode. */
const HOP_SAMPLES = Number(setting("BENCH_HOP_SAMPLES"));
const BASELINE = options.baseline;
/** The rows of the HTTP layer alone, which every other row is compared with. */
const YARDSTICK = "http layer alone";
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
  /** CPU time (user + system) of the service's processes per request answered; load client and servers not counted. */
  cpu_ms_per_request?: number;
}

interface RunningMode {
  roles: RoleProcess[];
  /** The cluster's topics (cluster mode only). */
  topics?: { events: string; notices: string };
  cleanup(): Promise<void>;
}

/**
 * Starts the processes of one mode, as users run them, and points BASE at its API.
 * `env` adds settings (the lag phase answers writes without waiting for the read model).
 */
async function startMode(
  mode: string,
  env: Record<string, string> = {},
  prepare?: (dataDir: string, storeEnv: Record<string, string>) => Promise<void>,
): Promise<RunningMode & { dataDir: string; storeEnv: Record<string, string> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "customers-bench-"));
  const run = randomUUID().slice(0, 8);
  // The settings that put the events elsewhere than DATA_DIR, for every process of the mode and for the preload.
  // A mode without PostgreSQL blanks POSTGRES_URL, which the roles would otherwise take from this shell.
  const storeEnv: Record<string, string> = mode === CLUSTER_ON_POSTGRES ? { POSTGRES_URL, POSTGRES_SCHEMA: `bench_${run.replaceAll("-", "")}` } : { POSTGRES_URL: "" };
  await prepare?.(dataDir, storeEnv);
  const port = await freePort();
  BASE = `http://127.0.0.1:${port}`;
  const common = { HOST: "127.0.0.1", JWT_SECRET: SECRET, ENCRYPTION_KEY, DATA_DIR: dataDir, LOG_LEVEL: "warn", NODE_ENV: "production", ...env };
  if (mode === "embedded") {
    // Blank cluster settings: the embedded mode must not pick them up from this shell.
    const command = new RoleProcess("command", { ...common, PORT: String(port), KAFKA_BROKERS: "", MONGODB_URL: "", KURRENTDB_URL: "", POSTGRES_URL: "" }, `${BASE}/health`);
    await command.start();
    const roles = [command];
    // The roles as they are at the end: a phase may have replaced the first command process with a restarted one.
    return { dataDir, storeEnv, roles, cleanup: async () => void (await Promise.all(roles.map((role) => role.kill())), rmSync(dataDir, { recursive: true, force: true })) };
  }
  const cluster = {
    ...common,
    ...storeEnv,
    KAFKA_BROKERS,
    MONGODB_URL,
    MONGODB_DATABASE: `bench_${run}`,
    EVENTS_TOPIC: `customers.events.bench-${run}`,
    MEDUSA_EVENTS_TOPIC: `customers.medusa-events.bench-${run}`,
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
    dataDir,
    storeEnv,
    roles: [command, publisher, projector],
    topics: { events: cluster.EVENTS_TOPIC, notices: cluster.READ_MODEL_NOTICES_TOPIC },
    async cleanup() {
      await Promise.all([command.kill(), publisher.kill(), projector.kill()]);
      const client = new MongoClient(MONGODB_URL);
      await client.connect();
      await client.db(cluster.MONGODB_DATABASE).dropDatabase();
      await client.db(`${cluster.MONGODB_DATABASE}_keys`).dropDatabase();
      await client.close();
      if (storeEnv.POSTGRES_SCHEMA) await dropPostgresSchemas(storeEnv.POSTGRES_SCHEMA);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The events' and the data keys' schemas of a PostgreSQL run. */
async function dropPostgresSchemas(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}_keys" CASCADE`);
  await client.end();
}

/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU time (user + system, milliseconds) the processes have used so far, every thread counted. */
function cpuMilliseconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    // After the command name (in parentheses, which may hold spaces): utime and stime are the 12th and 13th fields.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS;
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

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const round = (ms: number) => Math.round(ms * 100) / 100;

interface ModeFigures {
  peak_rss_mib: Record<string, number>;
  /** Append to visible through the API, one write at a time. */
  projection_lag_ms?: { samples: number; p50: number; p99: number };
  /** Customers stored before the throughput phase, and how long until the API listed them all. */
  preload?: { customers: number; ms: number };
  /** A restart on the data of the throughput phase (embedded mode): until it answers /health. */
  restart?: { events: number; ready_ms: number; catch_up_ms: number; rss_mib: number; added_events?: number; added_projected_ms?: number; rebuild?: RebuildFigures };
  /** Write cost against history (embedded mode). */
  long_history?: LongHistoryFigures;
  /** How long other requests wait while hostile lists run (embedded mode). */
  hostile_lists?: HostileListFigures;
  /** Where a create's time goes, hop by hop (cluster mode). */
  create_hops_ms?: HopFigures;
}

interface HostileListFigures {
  customers: number;
  /** GET /health latency, polled every 10 ms, idle and while the lists run: how long the event loop is held. */
  health_idle_ms: { p50: number; p99: number; max: number };
  health_under_lists_ms: { p50: number; p99: number; max: number };
  lists_per_second: number;
}

interface LongHistoryFigures {
  /** Events in the long customer's stream. */
  events: number;
  new_customer: { requests_per_second: number; p99_ms: number };
  long_customer: { requests_per_second: number; p99_ms: number };
  /** Long customer's update rate over a new customer's: 1 means history costs nothing. */
  ratio: number;
  /** First update of the long customer after a restart (nothing cached), one request. */
  first_update_after_restart_ms: number;
  /** GET .../history of the long customer (median of 10, ms): it folds the stream from its start. */
  history_reads: {
    newest_50_ms: number;
    before_middle_50_ms: number;
    oldest_50_ms: number;
    /** /health while four connections read the newest page over and over. */
    health_under_history_ms: { p50: number; p99: number; max: number };
    history_reads_per_second: number;
  };
  large: {
    events: number;
    metadata_bytes: number;
    connections: number;
    requests_per_second: number;
    p99_ms: number;
    non_2xx: number;
    rss_before_mib: number;
    peak_rss_mib: number;
  };
}

async function benchMode(mode: string, rows: Row[]): Promise<ModeFigures> {
  const figures: ModeFigures = { peak_rss_mib: {} };
  if (PHASES.has("throughput")) await measureThroughput(mode, rows, figures);
  if (PHASES.has("history") && mode === "embedded") figures.long_history = await measureLongHistory(mode);
  if (PHASES.has("hostile") && mode === "embedded") figures.hostile_lists = await measureHostileLists(mode);
  if (PHASES.has("lag")) figures.projection_lag_ms = await measureLag(mode);
  if (PHASES.has("hops") && mode !== "embedded") figures.create_hops_ms = await measureHops(mode);
  return figures;
}

/** The list pages measured, each a GET of one of its paths at random. */
function listScenarios(preloaded: Preloaded): Scenario[] {
  const pages = (query: string) => Array.from({ length: 50 }, (_, page) => `/admin/customers?${query}${query ? "&" : ""}limit=20&offset=${20 * page}`);
  const random = (count: number, path: (n: number) => string) => Array.from({ length: count }, () => path(Math.floor(Math.random() * preloaded.count)));
  const list = (name: string, paths: string[]): Scenario => ({ name: `list: ${name}`, kind: { type: "list", paths } });
  return [
    list("default order", pages("")),
    list("order=email", pages("order=email")),
    list("order=-created_at", pages("order=-created_at")),
    list("order=last_name", pages("order=last_name")),
    list("groups (1 in 10)", pages(`groups=${preloaded.groupId}`)),
    list("email=", random(200, (n) => `/admin/customers?email=${encodeURIComponent(preloadedEmail(n))}&limit=20`)),
    list("created_at[$gte]", pages(`created_at${encodeURIComponent("[$gte]")}=2020-01-01T00:00:00.000Z`)),
    list("q (a few matches)", random(200, (n) => `/admin/customers?q=${encodeURIComponent(preloadedEmail(n).replace("@example.com", ""))}&limit=20`)),
    list("q (most match)", pages("q=example")),
  ];
}

/** Runs the scenario at each concurrency; `pids` are the service's processes, whose CPU time is measured. */
async function runScenario(mode: string, scenario: Scenario, rows: Row[], pids: number[]): Promise<void> {
  for (const connections of CONNECTIONS) {
    const cpuBefore = cpuMilliseconds(pids);
    const result = await client.run(BASE, authorization, scenario, connections, SECONDS);
    const answered = result.requestsPerSecond * SECONDS;
    rows.push({
      mode,
      scenario: scenario.name,
      connections,
      requests_per_second: result.requestsPerSecond,
      p50_ms: result.p50Ms,
      p99_ms: result.p99Ms,
      errors: result.errors,
      non_2xx: result.non2xx,
      cpu_ms_per_request: answered > 0 ? Math.round(((cpuMilliseconds(pids) - cpuBefore) / answered) * 1000) / 1000 : undefined,
    });
    console.error(`${mode} ${scenario.name} @${connections}: ${result.requestsPerSecond}/s`);
  }
}

/** The yardstick: the same create, retrieve, list and update against the HTTP layer alone. */
async function measureHttpLayerAlone(rows: Row[]): Promise<void> {
  const port = await freePort();
  BASE = `http://127.0.0.1:${port}`;
  const server = new RoleProcess("http-layer-alone", { HOST: "127.0.0.1", PORT: String(port) }, `${BASE}/health`, "dist/bench/httpLayerAlone.js");
  await server.start();
  try {
    await client.run(BASE, authorization, { name: "warm-up", kind: { type: "create" } }, 16, 2);
    const ids = await seedIds(1000);
    const pages = Array.from({ length: 50 }, (_, page) => `/admin/customers?limit=20&offset=${20 * page}`);
    for (const scenario of [
      { name: "create", kind: { type: "create" } },
      { name: "retrieve", kind: { type: "retrieve", ids } },
      { name: "list", kind: { type: "list", paths: pages } },
      { name: "update", kind: { type: "update", ids } },
    ] satisfies Scenario[]) {
      await runScenario(YARDSTICK, scenario, rows, [server.pid!]);
    }
  } finally {
    await server.kill();
  }
}

async function measureThroughput(mode: string, rows: Row[], figures: ModeFigures): Promise<void> {
  let preloaded: Preloaded | undefined;
  const started = performance.now();
  const running = await startMode(mode, {}, async (dataDir, storeEnv) => {
    const bench = await openBenchStore(dataDir, ENCRYPTION_KEY, storeEnv);
    preloaded = await preloadCustomers(bench, CUSTOMERS, (done) => console.error(`${mode}: ${done} customers stored`));
    await bench.close();
  });
  try {
    await waitForCustomers(preloaded!.count);
    figures.preload = { customers: preloaded!.count, ms: Math.round(performance.now() - started) };
    console.error(`${mode}: ${preloaded!.count} customers stored and listed in ${figures.preload.ms} ms`);
    await client.run(BASE, authorization, { name: "warm-up", kind: { type: "create" } }, 16, 3);
    const ids = preloaded!.sampleIds;
    const scenarios: Scenario[] = [
      { name: "create", kind: { type: "create" } },
      { name: "retrieve", kind: { type: "retrieve", ids } },
      ...listScenarios(preloaded!),
      { name: "update", kind: { type: "update", ids } },
    ];
    const pids = running.roles.map((role) => role.pid!);
    for (const scenario of scenarios) await runScenario(mode, scenario, rows, pids);
    figures.peak_rss_mib = Object.fromEntries(running.roles.map((role) => [role.role, peakMemoryMiB(role.pid!)]));
    // A failed restart loses only its own figures, not the rows measured before it.
    if (mode === "embedded") figures.restart = await measureRestart(running, preloaded!).catch((error: unknown) => void console.error(`embedded restart not measured: ${String(error)}`));
  } finally {
    await running.cleanup();
  }
}

/** Until the read model lists `count` customers (the cluster's projector catches up after its start). */
async function waitForCustomers(count: number): Promise<void> {
  const deadline = Date.now() + Math.max(120_000, count * 10);
  for (;;) {
    const response = await fetch(`${BASE}/admin/customers?limit=0`, { headers: { authorization } });
    const listed = response.ok ? ((await response.json()) as { count: number }).count : 0;
    if (listed >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${listed} of ${count} preloaded customers are listed`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Projection lag: with READ_MODEL_WAIT_MS=0 a create answers as soon as its event is
 * appended; the time until a retrieve (polled every millisecond) finds it is the lag from
 * append to visible, through the whole pipeline. One create at a time, nothing else running.
 */
async function measureLag(mode: string): Promise<ModeFigures["projection_lag_ms"]> {
  const running = await startMode(mode, { READ_MODEL_WAIT_MS: "0" });
  try {
    await seedIds(200);
    const lags: number[] = [];
    for (let i = 0; i < 300; i += 1) {
      const started = performance.now();
      const response = await fetch(`${BASE}/admin/customers`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ first_name: `Lag ${i}` }),
      });
      const { customer } = (await response.json()) as { customer: { id: string } };
      for (;;) {
        const found = await fetch(`${BASE}/admin/customers/${customer.id}`, { headers: { authorization } });
        await found.arrayBuffer();
        if (found.status === 200) break;
        if (performance.now() - started > 10_000) throw new Error(`customer ${customer.id} not visible after 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      lags.push(performance.now() - started);
    }
    lags.sort((a, b) => a - b);
    console.error(`${mode} projection lag p50 ${round(percentile(lags, 50))} ms`);
    return { samples: lags.length, p50: round(percentile(lags, 50)), p99: round(percentile(lags, 99)) };
  } finally {
    await running.cleanup();
  }
}

/** A cluster create's hops (bench/clusterHops.ts), one create at a time. */
async function measureHops(mode: string): Promise<HopFigures> {
  const running = await startMode(mode);
  try {
    await seedIds(50);
    const figures = await measureClusterHops({
      base: BASE,
      authorization,
      brokers: KAFKA_BROKERS.split(","),
      eventsTopic: running.topics!.events,
      noticesTopic: running.topics!.notices,
      samples: HOP_SAMPLES,
    });
    console.error(`${mode} create hops: ${JSON.stringify(figures.hops)}`);
    return figures;
  } finally {
    await running.cleanup();
  }
}

/**
 * A restart of the embedded service on the data the throughput phase wrote, topped up with
 * updates to BENCH_RESTART_EVENTS events (projected by a first start): how many events the
 * store holds, how long from the process's start until it answers, how long of that it spent
 * bringing the read model up to date (it logs it), and its memory once ready.
 */
async function measureRestart(running: RunningMode & { dataDir: string; storeEnv: Record<string, string> }, preloaded: Preloaded): Promise<ModeFigures["restart"]> {
  for (const role of running.roles) await role.kill();
  const bench = await openBenchStore(running.dataDir, ENCRYPTION_KEY, running.storeEnv);
  const added = await topUpWithUpdates(bench, preloaded.sampleIds, RESTART_EVENTS, (done) => console.error(`embedded: ${done} events stored`));
  const events = await countEvents(bench.store);
  await bench.close();
  // The updates just added are projected by a first start; the restart measured is the next one.
  let firstCatchUpMs: number | undefined;
  if (added > 0) {
    const first = await startCommandOn(running.dataDir, 30 * 60_000);
    await first.kill();
    firstCatchUpMs = caughtUpMs(first);
    console.error(`embedded: ${added} more events projected in ${firstCatchUpMs} ms`);
  }
  const started = performance.now();
  const restarted = await startCommandOn(running.dataDir);
  const readyMs = Math.round(performance.now() - started);
  const rssMiB = currentMemoryMiB(restarted.pid!);
  // Read before the rebuild's requests fill the kept output.
  const catchUpMs = caughtUpMs(restarted);
  const rebuild = await measureRebuild(new URL(restarted.healthUrl).origin, preloaded.sampleIds[0]!).catch((error: unknown) => void console.error(`embedded rebuild not measured: ${String(error)}`));
  await restarted.kill();
  console.error(`embedded restart with ${events} events: ready in ${readyMs} ms (read model caught up in ${catchUpMs} ms), ${rssMiB} MiB`);
  return {
    events,
    ready_ms: readyMs,
    catch_up_ms: catchUpMs,
    rss_mib: rssMiB,
    ...(firstCatchUpMs === undefined ? {} : { added_events: added, added_projected_ms: firstCatchUpMs }),
    ...(rebuild && { rebuild }),
  };
}

interface RebuildFigures {
  events: number;
  ms: number;
  events_per_second: number;
  /** A customer read and /health, one after the other, before the rebuild and while it runs. */
  idle: { retrieve: Percentiles; health: Percentiles };
  during: { retrieve: Percentiles; health: Percentiles; failed: number };
}

type Percentiles = { p50: number; p99: number; max: number };

/**
 * A rebuild of the read model (POST /admin/projections/rebuild) on the restarted service's
 * store: how long it takes, and what a customer read and /health wait meanwhile, against the
 * same probes for a few seconds before it.
 */
async function measureRebuild(base: string, customerId: string): Promise<RebuildFigures> {
  const probe = async (until: () => boolean) => {
    const retrieve: number[] = [];
    const health: number[] = [];
    let failed = 0;
    while (!until()) {
      for (const [path, into] of [[`/admin/customers/${customerId}`, retrieve], ["/health", health]] as const) {
        const started = performance.now();
        const response = await fetch(`${base}${path}`, { headers: { authorization } });
        await response.arrayBuffer();
        if (response.status !== 200) failed += 1;
        into.push(performance.now() - started);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const summary = (latencies: number[]): Percentiles => {
      latencies.sort((a, b) => a - b);
      return { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? Number.NaN) };
    };
    return { retrieve: summary(retrieve), health: summary(health), failed };
  };
  const idleUntil = performance.now() + 3_000;
  const idle = await probe(() => performance.now() > idleUntil);
  const started = await fetch(`${base}/admin/projections/rebuild`, { method: "POST", headers: { authorization } });
  if (started.status !== 202) throw new Error(`the rebuild answered ${started.status}`);
  let rebuild: { state: string; events: number; started_at: string; finished_at: string | null; error: string | null } | undefined;
  let done = false;
  const watching = (async () => {
    while (!done) {
      const projections = (await (await fetch(`${base}/admin/projections`, { headers: { authorization } })).json()) as { projections: Array<{ rebuild: typeof rebuild }> };
      rebuild = projections.projections[0]!.rebuild;
      done = rebuild?.state === "done" || rebuild?.state === "failed";
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const during = await probe(() => done);
  await watching;
  if (rebuild?.state !== "done") throw new Error(`the rebuild failed: ${rebuild?.error}`);
  const ms = Date.parse(rebuild.finished_at!) - Date.parse(rebuild.started_at);
  const figures = { events: rebuild.events, ms, events_per_second: Math.round((rebuild.events / ms) * 1000), idle: { retrieve: idle.retrieve, health: idle.health }, during };
  console.error(`embedded rebuild of ${figures.events} events: ${ms} ms (${figures.events_per_second}/s); ${JSON.stringify({ idle: figures.idle, during })}`);
  return figures;
}

/** The embedded service on an existing data folder, once it answers /health. */
async function startCommandOn(dataDir: string, timeoutMs?: number): Promise<RoleProcess> {
  const port = await freePort();
  const command = new RoleProcess(
    "command",
    { HOST: "127.0.0.1", PORT: String(port), JWT_SECRET: SECRET, ENCRYPTION_KEY, DATA_DIR: dataDir, LOG_LEVEL: "info", NODE_ENV: "production", KAFKA_BROKERS: "", MONGODB_URL: "", KURRENTDB_URL: "", POSTGRES_URL: "" },
    `http://127.0.0.1:${port}/health`,
  );
  await command.start(timeoutMs);
  return command;
}

/** How long the process said its read model took to catch up with the event store at start. */
function caughtUpMs(process: RoleProcess): number {
  const line = process.output().split("\n").find((text) => text.includes("read model up to date with the event store"));
  return Number(line ? JSON.parse(line).ms : Number.NaN);
}

/** Sends `count` updates to one customer, `parallel` at a time. */
async function updateMany(id: string, count: number, parallel: number, metadataBytes = 0): Promise<void> {
  const padding = "x".repeat(metadataBytes);
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      const n = sent;
      const response = await fetch(`${BASE}/admin/customers/${id}`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ first_name: `History ${n}`, metadata: padding ? { n, padding } : { n } }),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`update ${n} of ${id} answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

function currentMemoryMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return Math.round(kb / 1024);
}

const LONG_HISTORY_EVENTS = Number(setting("BENCH_HISTORY_EVENTS"));
// Just under the 64 KiB a metadata object may take (shared/customers/limits.ts).
/** The long customer's history read three ways, then read over and over while /health is probed. */
async function measureHistoryReads(id: string): Promise<LongHistoryFigures["history_reads"]> {
  const history = `${BASE}/admin/customers/${id}/history`;
  const medianOf = async (query: string) => {
    const times: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      const response = await fetch(`${history}?${query}`, { headers: { authorization } });
      if (response.status !== 200) throw new Error(`history answered ${response.status}`);
      await response.arrayBuffer();
      times.push(performance.now() - started);
    }
    return round(percentile(times.sort((a, b) => a - b), 50));
  };
  const figures = {
    newest_50_ms: await medianOf("limit=50"),
    before_middle_50_ms: await medianOf(`limit=50&revision[$lt]=${Math.floor(LONG_HISTORY_EVENTS / 2)}`),
    oldest_50_ms: await medianOf("limit=50&order=revision"),
  };
  let reads = 0;
  let reading = true;
  const reader = async () => {
    while (reading) {
      await (await fetch(`${history}?limit=50`, { headers: { authorization } })).arrayBuffer();
      reads += 1;
    }
  };
  const started = performance.now();
  const readers = Promise.all([reader(), reader(), reader(), reader()]);
  const health = await probeHealth(SECONDS * 500);
  reading = false;
  await readers;
  const result = { ...figures, health_under_history_ms: health, history_reads_per_second: Math.round((reads / (performance.now() - started)) * 1000) };
  console.error(`history of ${LONG_HISTORY_EVENTS} events: newest ${figures.newest_50_ms} ms, health p99 under 4 readers ${health.p99} ms`);
  return result;
}

const LARGE_METADATA_BYTES = 60 * 1024;
const LARGE_UPDATES = 300;
const LARGE_CONNECTIONS = 32;

/**
 * Write cost against history: a customer with 10,000 events is updated as fast as a new one
 * (16 connections on one customer each); then, after a restart (nothing cached), 32
 * connections update a customer whose 300 events each carry a 60 KB metadata, and the
 * process's peak memory is reported.
 */
async function measureLongHistory(mode: string): Promise<LongHistoryFigures> {
  const running = await startMode(mode);
  try {
    const [fresh, long, large] = await seedIds(3);
    await updateMany(long!, LONG_HISTORY_EVENTS - 1, 16);
    await updateMany(large!, LARGE_UPDATES - 1, 4, LARGE_METADATA_BYTES);
    const rate = async (id: string) => {
      const result = await client.run(BASE, authorization, { name: "update", kind: { type: "update", ids: [id] } }, 16, SECONDS);
      return { requests_per_second: result.requestsPerSecond, p99_ms: result.p99Ms };
    };
    const newCustomer = await rate(fresh!);
    const longCustomer = await rate(long!);
    console.error(`update of a new customer ${newCustomer.requests_per_second}/s, of one with ${LONG_HISTORY_EVENTS} events ${longCustomer.requests_per_second}/s`);
    const historyReads = await measureHistoryReads(long!);

    // Restart on the same data: the first update reads the whole stream once, a page at a time.
    for (const role of running.roles) await role.kill();
    const port = await freePort();
    BASE = `http://127.0.0.1:${port}`;
    const restarted = new RoleProcess(
      "command",
      { HOST: "127.0.0.1", PORT: String(port), JWT_SECRET: SECRET, ENCRYPTION_KEY, DATA_DIR: running.dataDir, LOG_LEVEL: "warn", NODE_ENV: "production", KAFKA_BROKERS: "", MONGODB_URL: "", KURRENTDB_URL: "", POSTGRES_URL: "" },
      `${BASE}/health`,
    );
    running.roles.splice(0, running.roles.length, restarted);
    await restarted.start();
    const started = performance.now();
    await updateMany(long!, 1, 1);
    const firstUpdateMs = round(performance.now() - started);
    const rssBefore = currentMemoryMiB(restarted.pid!);
    const largeRun = await client.run(
      BASE,
      authorization,
      { name: "large update", kind: { type: "update", ids: [large!], metadataBytes: LARGE_METADATA_BYTES } },
      LARGE_CONNECTIONS,
      SECONDS,
    );
    const figures: LongHistoryFigures = {
      events: LONG_HISTORY_EVENTS,
      new_customer: newCustomer,
      long_customer: longCustomer,
      ratio: Math.round((longCustomer.requests_per_second / newCustomer.requests_per_second) * 100) / 100,
      first_update_after_restart_ms: firstUpdateMs,
      history_reads: historyReads,
      large: {
        events: LARGE_UPDATES,
        metadata_bytes: LARGE_METADATA_BYTES,
        connections: LARGE_CONNECTIONS,
        requests_per_second: largeRun.requestsPerSecond,
        p99_ms: largeRun.p99Ms,
        non_2xx: largeRun.non2xx,
        rss_before_mib: rssBefore,
        peak_rss_mib: peakMemoryMiB(restarted.pid!),
      },
    };
    console.error(`large updates @${LARGE_CONNECTIONS}: ${largeRun.requestsPerSecond}/s, peak RSS ${figures.large.peak_rss_mib} MiB`);
    return figures;
  } finally {
    await running.cleanup();
  }
}

const HOSTILE_CUSTOMERS = Number(setting("BENCH_HOSTILE_CUSTOMERS"));

/** GET /health (which does no work) every 10 ms for `ms`: how long a request waits for the event loop. */
async function probeHealth(ms: number): Promise<{ p50: number; p99: number; max: number }> {
  const latencies: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const started = performance.now();
    await (await fetch(`${BASE}/health`)).arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  latencies.sort((a, b) => a - b);
  return { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? Number.NaN) };
}

/** Lists built to cost the most per document: patterns on every text, searches, sorts of every match. */
const HOSTILE_LISTS = [
  "/admin/customers?email[$re]=(a|aa)%2Bb$&limit=20",
  "/admin/customers?first_name[$like]=%25a%25a%25a%25a%25a%25a%25a%25a%25b&limit=20",
  "/admin/customers?q=zzz&limit=20",
  "/admin/customers?order=-email&limit=20",
  "/admin/customers?last_name[$ilike]=%25seed%25&order=first_name&limit=20",
];

/**
 * Whether a list can hold up the process: /health (which does no work) is polled every 10 ms,
 * first idle, then while four connections send the hostile lists above over HOSTILE_CUSTOMERS
 * customers. The health latency is how long a request waits for the event loop.
 */
async function measureHostileLists(mode: string): Promise<HostileListFigures> {
  const running = await startMode(mode);
  try {
    const batch = 50;
    for (let created = 0; created < HOSTILE_CUSTOMERS; created += batch) {
      await Promise.all(
        Array.from({ length: batch }, (_, i) =>
          fetch(`${BASE}/admin/customers`, {
            method: "POST",
            headers: { authorization, "content-type": "application/json" },
            body: JSON.stringify({ email: `hostile.${created + i}@example.com`, first_name: `Seed ${created + i}`, last_name: "Seed" }),
          }).then((response) => response.arrayBuffer()),
        ),
      );
    }
    const idle = await probeHealth(SECONDS * 500);
    let lists = 0;
    let loading = true;
    const listClient = async (offset: number) => {
      for (let n = offset; loading; n += 1) {
        await (await fetch(`${BASE}${HOSTILE_LISTS[n % HOSTILE_LISTS.length]}`, { headers: { authorization } })).arrayBuffer();
        lists += 1;
      }
    };
    const started = performance.now();
    const clients = Promise.all([0, 1, 2, 3].map(listClient));
    const underLists = await probeHealth(SECONDS * 1000);
    loading = false;
    await clients;
    const figures = { customers: HOSTILE_CUSTOMERS, health_idle_ms: idle, health_under_lists_ms: underLists, lists_per_second: Math.round((lists / (performance.now() - started)) * 1000) };
    console.error(`hostile lists: health p99 ${underLists.p99} ms (idle ${idle.p99} ms), max ${underLists.max} ms, ${figures.lists_per_second} lists/s`);
    return figures;
  } finally {
    await running.cleanup();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const figures: Record<string, ModeFigures> = {};
  if (PHASES.has("throughput")) await measureHttpLayerAlone(rows);
  for (const mode of MODES) figures[mode] = await benchMode(mode, rows);
  const peaks = Object.fromEntries(Object.entries(figures).map(([mode, f]) => [mode, f.peak_rss_mib]));
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; load from ${client.name} on the same machine`;
  console.log(`\nMachine: ${machine}; ${SECONDS} s per row; peak RSS (MiB) by role: ${JSON.stringify(peaks)}\n`);
  const baseline = BASELINE ? (JSON.parse(readFileSync(BASELINE, "utf8")) as { rows: Row[] }).rows : undefined;
  const rowKey = (row: Row) => `${row.mode}|${row.scenario}|${row.connections}`;
  const before = new Map((baseline ?? []).map((row) => [rowKey(row), row]));
  const yardstick = new Map(rows.filter((row) => row.mode === YARDSTICK).map((row) => [`${row.scenario.startsWith("list") ? "list" : row.scenario}|${row.connections}`, row]));
  const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}x` : "-");
  console.log(`| mode | scenario | connections | req/s | p50 ms | p99 ms | errors | non-2xx | CPU ms/req | / ${YARDSTICK} |${baseline ? " / baseline |" : ""}`);
  console.log(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${baseline ? " ---: |" : ""}`);
  for (const row of rows) {
    const alone = yardstick.get(`${row.scenario.startsWith("list") ? "list" : row.scenario}|${row.connections}`);
    const earlier = baseline ? ` ${ratio(row.requests_per_second, before.get(rowKey(row))?.requests_per_second)} |` : "";
    console.log(
      `| ${row.mode} | ${row.scenario} | ${row.connections} | ${row.requests_per_second} | ${row.p50_ms} | ${row.p99_ms} | ${row.errors} | ${row.non_2xx} | ${row.cpu_ms_per_request ?? "-"} | ${ratio(row.requests_per_second, alone?.requests_per_second)} |${earlier}`,
    );
  }
  console.log("\n| mode | customers stored | listed after ms | projection lag p50 ms | p99 ms | samples | events at restart | ready after restart ms | of which catching up ms | RSS after restart MiB |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [mode, f] of Object.entries(figures)) {
    const lag = f.projection_lag_ms;
    const restart = f.restart;
    console.log(
      `| ${mode} | ${f.preload?.customers ?? "-"} | ${f.preload?.ms ?? "-"} | ${lag?.p50 ?? "-"} | ${lag?.p99 ?? "-"} | ${lag?.samples ?? "-"} | ${restart?.events ?? "-"} | ${restart?.ready_ms ?? "-"} | ${restart?.catch_up_ms ?? "-"} | ${restart?.rss_mib ?? "-"} |`,
    );
  }
  for (const [mode, f] of Object.entries(figures)) {
    const r = f.restart?.rebuild;
    if (!r) continue;
    console.log(`\nA rebuild of the read model while serving (${mode}, ${r.events} events): ${r.ms} ms, ${r.events_per_second} events/s`);
    console.log("| probe (one after the other) | before: p50 ms | p99 ms | during: p50 ms | p99 ms | max ms |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    console.log(`| GET a customer | ${r.idle.retrieve.p50} | ${r.idle.retrieve.p99} | ${r.during.retrieve.p50} | ${r.during.retrieve.p99} | ${r.during.retrieve.max} |`);
    console.log(`| /health | ${r.idle.health.p50} | ${r.idle.health.p99} | ${r.during.health.p50} | ${r.during.health.p99} | ${r.during.health.max} |`);
    console.log(`failed requests during the rebuild: ${r.during.failed}`);
  }
  for (const [mode, f] of Object.entries(figures)) {
    const hops = f.create_hops_ms;
    if (!hops) continue;
    console.log(`\nA create hop by hop (${mode}, one at a time, ${hops.samples} creates; ms on this machine's clock):`);
    console.log("| hop | p50 ms | p99 ms |");
    console.log("| --- | ---: | ---: |");
    for (const hop of HOPS) console.log(`| ${hop} | ${hops.hops[hop]?.p50 ?? "-"} | ${hops.hops[hop]?.p99 ?? "-"} |`);
  }
  for (const [mode, f] of Object.entries(figures)) {
    const h = f.long_history;
    if (!h) continue;
    console.log(`\nWrite cost against history (${mode}, 16 connections on one customer):`);
    console.log("| customer | events | req/s | p99 ms |");
    console.log("| --- | ---: | ---: | ---: |");
    console.log(`| new | 1 | ${h.new_customer.requests_per_second} | ${h.new_customer.p99_ms} |`);
    console.log(`| long history | ${h.events} | ${h.long_customer.requests_per_second} | ${h.long_customer.p99_ms} |`);
    console.log(`long / new: ${h.ratio}x; first update of the long customer after a restart: ${h.first_update_after_restart_ms} ms`);
    const r = h.history_reads;
    console.log(
      `its history (median of 10): newest 50 ${r.newest_50_ms} ms, 50 before the middle ${r.before_middle_50_ms} ms, oldest 50 ${r.oldest_50_ms} ms; ` +
        `4 readers of the newest page: ${r.history_reads_per_second}/s, /health p50 ${r.health_under_history_ms.p50} / p99 ${r.health_under_history_ms.p99} / max ${r.health_under_history_ms.max} ms`,
    );
    const l = h.large;
    console.log(
      `${l.connections} concurrent updates with ${Math.round(l.metadata_bytes / 1024)} KB metadata on a customer of ${l.events} such events, after a restart: ` +
        `${l.requests_per_second} req/s, p99 ${l.p99_ms} ms, ${l.non_2xx} non-2xx, RSS ${l.rss_before_mib} MiB before, peak ${l.peak_rss_mib} MiB`,
    );
  }
  for (const [mode, f] of Object.entries(figures)) {
    const h = f.hostile_lists;
    if (!h) continue;
    console.log(`\nOther requests during hostile lists (${mode}, ${h.customers} customers, 4 connections of lists, GET /health every 10 ms):`);
    console.log("| /health latency | p50 ms | p99 ms | max ms |");
    console.log("| --- | ---: | ---: | ---: |");
    console.log(`| idle | ${h.health_idle_ms.p50} | ${h.health_idle_ms.p99} | ${h.health_idle_ms.max} |`);
    console.log(`| during the lists (${h.lists_per_second} lists/s) | ${h.health_under_lists_ms.p50} | ${h.health_under_lists_ms.p99} | ${h.health_under_lists_ms.max} |`);
  }
  if (!MODES.includes("cluster")) console.log("\n(cluster mode not run: set KAFKA_BROKERS and MONGODB_URL, e.g. after `npm run servers:up`)");
  if (!MODES.includes(CLUSTER_ON_POSTGRES)) console.log(`(${CLUSTER_ON_POSTGRES} not run: set POSTGRES_URL as well, e.g. postgres://postgres@127.0.0.1:55432/customers after \`npm run servers:up\`)`);
  mkdirSync("bench/results", { recursive: true });
  const file = join("bench/results", `${new Date().toISOString().replaceAll(":", "-")}.json`);
  writeFileSync(file, JSON.stringify({ machine, seconds: SECONDS, modes: figures, rows }, null, 2));
  console.log(`\nFigures written to ${file}`);
}

await main();
