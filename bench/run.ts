/**
 * `npm run bench`: starts the service the way users run it (its own process, embedded
 * defaults, a fresh data directory), warms it up, then drives it over loopback HTTP with
 * autocannon for a fixed time per scenario and concurrency. Prints a table and writes the
 * figures as JSON to bench/results/.
 *
 *   BENCH_SECONDS      seconds per measurement (default 10)
 *   BENCH_CONNECTIONS  comma-separated concurrencies (default 1,16,64)
 */
import autocannon from "autocannon";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { signAdminToken } from "../shared/auth/adminToken.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "1,16,64").split(",").map(Number);
const SECRET = "bench-secret";
const PORT = 19_000 + Math.floor(Math.random() * 1000);
const BASE = `http://127.0.0.1:${PORT}`;

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

async function waitForHealth(deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${BASE}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the service did not become healthy in time");
}

function startService(dataDir: string): ChildProcess {
  return spawn(process.execPath, ["dist/services/command/main.js"], {
    env: { ...process.env, PORT: String(PORT), HOST: "127.0.0.1", JWT_SECRET: SECRET, DATA_DIR: dataDir, LOG_LEVEL: "warn", NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

function peakMemoryMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

let sequence = 0;
const authorization = `Bearer ${signAdminToken({ secret: SECRET, actorId: "user_bench", now: new Date(), expiresInSeconds: 86_400 })}`;

async function measure(scenario: string, connections: number, request: autocannon.Request, seconds = SECONDS): Promise<autocannon.Result> {
  return autocannon({
    url: BASE,
    connections,
    duration: seconds,
    headers: { authorization, "content-type": "application/json" },
    requests: [request],
    title: scenario,
  });
}

const createRequest: autocannon.Request = {
  method: "POST",
  path: "/admin/customers",
  setupRequest: (request) => {
    sequence += 1;
    return { ...request, body: JSON.stringify({ email: `bench.${process.pid}.${sequence}@example.com`, first_name: "Bench", metadata: { n: sequence } }) };
  },
};

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

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "customers-bench-"));
  const service = startService(dataDir);
  const rows: Row[] = [];
  try {
    await waitForHealth(Date.now() + 30_000);
    await measure("warm-up", 16, createRequest, 3);
    const ids = await seedIds(1000);
    const retrieveRequest: autocannon.Request = {
      method: "GET",
      setupRequest: (request) => ({ ...request, path: `/admin/customers/${ids[Math.floor(Math.random() * ids.length)]}` }),
    };
    for (const [scenario, request] of [
      ["create", createRequest],
      ["retrieve", retrieveRequest],
    ] as const) {
      for (const connections of CONNECTIONS) {
        const result = await measure(scenario, connections, request);
        rows.push({
          mode: "embedded",
          scenario,
          connections,
          requests_per_second: Math.round(result.requests.average),
          p50_ms: result.latency.p50,
          p99_ms: result.latency.p99,
          errors: result.errors + result.timeouts,
          non_2xx: result.non2xx,
        });
        console.error(`${scenario} @${connections}: ${Math.round(result.requests.average)}/s`);
      }
    }
    const peak = peakMemoryMiB(service.pid!);
    console.log(`\nMachine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${SECONDS} s per row; service peak RSS ${peak} MiB\n`);
    console.log("| mode | scenario | connections | req/s | p50 ms | p99 ms | errors | non-2xx |");
    console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const row of rows) {
      console.log(
        `| ${row.mode} | ${row.scenario} | ${row.connections} | ${row.requests_per_second} | ${row.p50_ms} | ${row.p99_ms} | ${row.errors} | ${row.non_2xx} |`,
      );
    }
    mkdirSync("bench/results", { recursive: true });
    const file = join("bench/results", `${new Date().toISOString().replaceAll(":", "-")}.json`);
    writeFileSync(file, JSON.stringify({ machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, seconds: SECONDS, peak_rss_mib: peak, rows }, null, 2));
    console.log(`\nFigures written to ${file}`);
  } finally {
    service.kill("SIGTERM");
    await new Promise((resolve) => service.once("exit", resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
