/**
 * The load generators the benchmark can drive the service with. wrk (C, from the Debian
 * package `wrk`) takes much less CPU than autocannon (Node), which matters on a two-core
 * machine where the client competes with the service; it is used when it is installed,
 * unless BENCH_CLIENT=autocannon.
 */
import autocannon from "autocannon";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Scenario {
  name: string;
  /**
   * A create (unique email per request), a retrieve or an update (random id from the list;
   * an update changes first_name and merges one metadata key), or a GET of one of `paths` at
   * random (list pages). `metadataBytes` pads each update's metadata with a string of that length.
   */
  kind:
    | { type: "create" }
    | { type: "retrieve"; ids: string[] }
    | { type: "update"; ids: string[]; metadataBytes?: number }
    | { type: "list"; paths: string[] };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface LoadClient {
  name: string;
  run(baseUrl: string, authorization: string, scenario: Scenario, connections: number, seconds: number): Promise<LoadResult>;
}

export function chooseLoadClient(preference: string | undefined): LoadClient {
  if (preference !== "autocannon" && hasWrk()) return wrkClient;
  return autocannonClient;
}

function hasWrk(): boolean {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // wrk prints its version and exits 1; only a missing binary is "not installed".
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

let sequence = 0;

const autocannonClient: LoadClient = {
  name: "autocannon",
  async run(baseUrl, authorization, scenario, connections, seconds) {
    const request = autocannonRequest(scenario);
    const result = await autocannon({
      url: baseUrl,
      connections,
      duration: seconds,
      headers: { authorization, "content-type": "application/json" },
      requests: [request],
    });
    return {
      requestsPerSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
    };
  },
};

const pick = (ids: string[]) => ids[Math.floor(Math.random() * ids.length)];

function autocannonRequest(scenario: Scenario): autocannon.Request {
  const kind = scenario.kind;
  switch (kind.type) {
    case "create":
      return {
        method: "POST",
        path: "/admin/customers",
        setupRequest: (r) => {
          sequence += 1;
          return { ...r, body: JSON.stringify({ email: `bench.${process.pid}.${sequence}@example.com`, first_name: "Bench" }) };
        },
      };
    case "retrieve":
      return { method: "GET", setupRequest: (r) => ({ ...r, path: `/admin/customers/${pick(kind.ids)}` }) };
    case "update": {
      const padding = "x".repeat(kind.metadataBytes ?? 0);
      return {
        method: "POST",
        setupRequest: (r) => {
          sequence += 1;
          const metadata = padding ? { n: sequence, padding } : { n: sequence };
          return { ...r, path: `/admin/customers/${pick(kind.ids)}`, body: JSON.stringify({ first_name: `Updated ${sequence}`, metadata }) };
        },
      };
    }
    case "list":
      return { method: "GET", setupRequest: (r) => ({ ...r, path: pick(kind.paths) }) };
  }
}

const wrkClient: LoadClient = {
  name: "wrk",
  async run(baseUrl, authorization, scenario, connections, seconds) {
    const dir = mkdtempSync(join(tmpdir(), "bench-wrk-"));
    try {
      const script = join(dir, "scenario.lua");
      writeFileSync(script, luaScript(scenario));
      const output = await new Promise<string>((resolve, reject) =>
        execFile(
          "wrk",
          ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, "-H", `authorization: ${authorization}`, "-H", "content-type: application/json", baseUrl],
          { maxBuffer: 1 << 20 },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        ),
      );
      return parseWrk(output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

let runs = 0;

function luaScript(scenario: Scenario): string {
  // wrk's random numbers start from the same seed every run, so the run id comes from here.
  runs += 1;
  const run = `local n = 0
local run = "${process.pid}-${Date.now()}-${runs}"
`;
  const kind = scenario.kind;
  switch (kind.type) {
    case "create":
      return `${run}request = function()
  n = n + 1
  return wrk.format("POST", "/admin/customers", nil, string.format('{"email":"bench.%s.%d@example.com","first_name":"Bench"}', run, n))
end
`;
    case "retrieve":
      return `local ids = {${kind.ids.map((id) => `"${id}"`).join(",")}}
request = function()
  return wrk.format("GET", "/admin/customers/" .. ids[math.random(1, #ids)])
end
`;
    case "update": {
      const padding = kind.metadataBytes ? `,"padding":"' .. padding .. '"` : "";
      return `${run}local ids = {${kind.ids.map((id) => `"${id}"`).join(",")}}
local padding = string.rep("x", ${kind.metadataBytes ?? 0})
request = function()
  n = n + 1
  return wrk.format("POST", "/admin/customers/" .. ids[math.random(1, #ids)], nil, string.format('{"first_name":"Updated %d","metadata":{"n":%d${padding}}}', n, n))
end
`;
    }
    case "list":
      return `local paths = {${kind.paths.map((path) => JSON.stringify(path)).join(",")}}
request = function()
  return wrk.format("GET", paths[math.random(1, #paths)])
end
`;
  }
}

function milliseconds(value: string, unit: string): number {
  const factor = unit === "us" ? 0.001 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 1;
  return Math.round(Number(value) * factor * 100) / 100;
}

export function parseWrk(output: string): LoadResult {
  const latency = (percentile: string) => {
    const match = new RegExp(`^\\s+${percentile}%\\s+([\\d.]+)(us|ms|s|m)`, "m").exec(output);
    return match ? milliseconds(match[1]!, match[2]!) : Number.NaN;
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0)),
    p50Ms: latency("50"),
    p99Ms: latency("99"),
    errors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
  };
}
