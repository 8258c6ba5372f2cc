/**
 * Rebuilding the embedded read model while the service runs: a new generation is built from
 * the event store beside the serving one and takes over once caught up. Under a load of
 * creates and updates no request fails and no answer goes back in time, the read model
 * converges with the store afterwards, a restart serves the new generation, and
 * `npm run rebuild` shows the same rebuild on its progress line.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import t from "tap";
import { checkConvergence } from "../../shared/readmodel/convergence.js";
import { SqliteReadModel } from "../../shared/readmodel/sqlite.js";
import { generationFile } from "../../shared/readmodel/sqliteGenerations.js";
import { TEST_SECRET, makeDataDir, startTestService } from "../support/service.js";
import { openedEventStore } from "../support/openedStore.js";

const revisionOf = (etag: string | null): number => Number(/^"(\d+)-/.exec(etag ?? "")?.[1] ?? Number.NaN);

t.test("a rebuild under creates and updates: nothing fails, nothing goes back in time, the new generation serves", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  let api = await startTestService({ dataDir: data.dir });
  t.teardown(() => api.stop());

  // A log long enough that the rebuild takes a while: 400 customers with 5 changes each.
  const ids: string[] = [];
  for (let batch = 0; batch < 20; batch++) {
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => api.request("POST", "/admin/customers", { body: { email: `seed-${batch}-${i}@example.com` } })));
    ids.push(...created.map((res) => res.json.customer.id as string));
  }
  for (let round = 0; round < 4; round++) {
    for (let at = 0; at < ids.length; at += 50) await Promise.all(ids.slice(at, at + 50).map((id) => api.request("POST", `/admin/customers/${id}`, { body: { first_name: `seed ${round}` } })));
  }

  const failures: string[] = [];
  const wentBack: string[] = [];
  const highest = new Map<string, number>();
  const saw = (id: string, revision: number, what: string) => {
    if (!Number.isInteger(revision)) return failures.push(`${what}: no revision in its ETag`);
    if (revision < (highest.get(id) ?? -1)) wentBack.push(`${what}: revision ${revision} after ${highest.get(id)}`);
    highest.set(id, Math.max(revision, highest.get(id) ?? -1));
  };
  let loading = true;
  let requests = 0;
  const worker = async (n: number) => {
    for (let i = 0; loading; i++) {
      const id = ids[(n * 97 + i * 13) % ids.length]!;
      const updated = await api.request("POST", `/admin/customers/${id}`, { body: { last_name: `w${n}-${i}` } });
      requests += 1;
      if (updated.status !== 200 || updated.headers.get("x-read-model")) failures.push(`update of ${id}: ${updated.status} ${updated.headers.get("x-read-model") ?? ""}`);
      else saw(id, revisionOf(updated.headers.get("etag")), `update of ${id}`);
      const read = await api.request("GET", `/admin/customers/${id}`);
      requests += 1;
      if (read.status !== 200) failures.push(`read of ${id}: ${read.status}`);
      else saw(id, revisionOf(read.headers.get("etag")), `read of ${id}`);
      if (i % 5 === 0) {
        const created = await api.request("POST", "/admin/customers", { body: { email: `load-${n}-${i}@example.com` } });
        requests += 1;
        if (created.status !== 200 || created.headers.get("x-read-model")) failures.push(`create: ${created.status}`);
        const listed = await api.request("GET", `/admin/customers?email=load-${n}-${i}@example.com`);
        requests += 1;
        if (listed.status !== 200 || listed.json.count !== 1) failures.push(`list after create: ${listed.status} ${listed.json?.count}`);
      }
    }
  };
  const load = Promise.all(Array.from({ length: 6 }, (_, n) => worker(n)));
  await new Promise((resolve) => setTimeout(resolve, 300));

  const started = await api.request("POST", "/admin/projections/rebuild");
  t.equal(started.status, 202);
  t.match(started.json.projection, { id: "customers", generation: 0, rebuild: { generation: 1, state: "building" } });
  const again = await api.request("POST", "/admin/projections/rebuild");
  t.same([again.status, again.json.type], [409, "conflict"], "one rebuild at a time");
  t.match(again.json.message, /already running/);

  const seen = new Set<string>();
  let projection: any;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    projection = (await api.request("GET", "/admin/projections")).json.projections[0];
    seen.add(projection.rebuild.state);
    if (projection.rebuild.state === "done" || projection.rebuild.state === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Some load on the new generation too.
  await new Promise((resolve) => setTimeout(resolve, 500));
  loading = false;
  await load;

  t.equal(projection.rebuild.state, "done", projection.rebuild.error ?? "");
  t.ok(seen.has("building"), `progress was shown while building (${[...seen]})`);
  t.match(projection, { generation: 1, rebuild: { generation: 1, progress: 1, eta_seconds: 0, error: null } });
  t.ok(projection.rebuild.events >= ids.length * 5, `every event projected again (${projection.rebuild.events})`);
  t.ok(requests > 100, `requests went on throughout (${requests})`);
  t.same(failures.slice(0, 5), [], "no request failed or answered without the read model");
  t.same(wentBack.slice(0, 5), [], "no answer went back in time");
  t.notOk(existsSync(generationFile(data.dir, 0)), "the old generation's file is removed");
  t.ok(existsSync(generationFile(data.dir, 1)));

  const store = await openedEventStore(data.dir);
  const readModel = new SqliteReadModel(generationFile(data.dir, 1));
  const report = await checkConvergence(store, readModel);
  await readModel.close();
  await store.close();
  t.same([report.missing, report.different, report.extra], [[], [], []], `the new generation converges (${report.expected} documents)`);

  // A restart serves the rebuilt generation.
  const [id] = ids;
  const before = (await api.request("GET", `/admin/customers/${id}`)).json.customer;
  await api.stop();
  api = await startTestService({ dataDir: data.dir });
  t.same((await api.request("GET", `/admin/customers/${id}`)).json.customer, before);
  t.match((await api.request("GET", "/admin/projections")).json.projections[0], { generation: 1, rebuild: null });
});

t.test("npm run rebuild starts a rebuild and follows it to the end", async (t) => {
  const api = await startTestService();
  t.teardown(() => api.stop());
  for (let i = 0; i < 30; i++) await api.request("POST", "/admin/customers", { body: { first_name: `cli ${i}` } });
  const port = new URL(api.baseUrl).port;
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ["dist/services/cli/rebuild.js", ...args], { env: { ...process.env, PORT: port, JWT_SECRET: TEST_SECRET, KAFKA_BROKERS: "", MONGODB_URL: "", POSTGRES_URL: "" } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const rebuilt = await run([]);
  t.equal(rebuilt.code, 0, rebuilt.stderr);
  t.match(rebuilt.stderr, /Rebuilding the read model into generation 1/);
  t.match(rebuilt.stderr, /\[#+\]\s+100%\s+30 events\s+[\d,]+\/s\s+ETA 0 s\s+position \d+ of \d+/, "the progress line");
  t.match(rebuilt.stdout, /^Rebuilt: generation 1 serves \(30 events in .+\); the old generation is removed\.$/m);
  const status = await run(["--status"]);
  t.equal(status.code, 0);
  t.match(status.stdout, /generation 1 serves/);
  t.same(readdirSync(api.dataDir).filter((name) => name.startsWith("readmodel") && name.endsWith(".sqlite")), ["readmodel-g1.sqlite"]);
  const refused = await run(["--url", "http://127.0.0.1:1"]);
  t.same([refused.code, /No service answers at http:\/\/127\.0\.0\.1:1/.test(refused.stderr)], [69, true]);
});
