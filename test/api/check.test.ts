/**
 * `npm run check` as operators run it (the built CLI, its exit code and its report): in
 * embedded mode on a store the service wrote, and against a MongoDB read model that has
 * drifted from the event store in every way the check looks for.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import t from "tap";
import { type CustomerEvent, customerStreamName } from "../../shared/customers/customer.js";
import type { EventToAppend } from "../../shared/eventstore/port.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { projectCustomerEvent } from "../../shared/readmodel/customerDocument.js";
import { MongoReadModel } from "../../shared/readmodel/mongodb.js";
import { mongodbUrl, requireServers } from "../support/cluster.js";
import { makeDataDir, startTestService } from "../support/service.js";
import { dropDatabase } from "../support/mongoDatabase.js";

function runCheck(env: Record<string, string>, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["dist/services/cli/check.js", ...args], { env: { ...process.env, KAFKA_BROKERS: "", MONGODB_URL: "", KURRENTDB_URL: "", POSTGRES_URL: "", ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

t.test("embedded mode: a store the service wrote checks clean", async (t) => {
  const api = await startTestService({ dataDir: makeDataDir().dir });
  t.teardown(() => api.stop());
  const customer = (await api.request("POST", "/admin/customers", { body: { email: `check-${randomUUID()}@example.com` } })).json.customer;
  await api.request("POST", `/admin/customers/${customer.id}/addresses`, { body: { city: "Lyon" } });
  await api.request("POST", "/admin/customer-groups", { body: { name: `check-${randomUUID()}` } });
  const result = await runCheck({ DATA_DIR: api.dataDir });
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /^2 customers and groups in the event store; the read model matches\.$/m);
});

t.test("wrong options: exit 2 with the usage", async (t) => {
  const result = await runCheck({ DATA_DIR: makeDataDir().dir }, ["--show", "many"]);
  t.equal(result.code, 2);
  t.match(result.stderr, /--show must be a whole number/);
  t.match(result.stderr, /Usage: npm run check/);
});

t.test("cluster mode: every kind of drift is reported, and the exit code says so", async (t) => {
  if (!requireServers(t, "npm run check against MongoDB", ["mongodb"])) return;
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  t.teardown(() => store.close());
  const database = `check_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const readModel = await MongoReadModel.connect(mongodbUrl, database);
  t.teardown(async () => {
    await readModel.close();
    await dropDatabase(mongodbUrl, database);
  });
  const created = (id: string, first_name: string): CustomerEvent => ({
    type: "CustomerCreated",
    data: { id, email: null, company_name: null, first_name, last_name: null, phone: null, metadata: null, has_account: false, created_by: "user_1", created_at: "2026-01-01T00:00:00.000Z" },
  });
  const metadata = { event_id: "", schema_version: 1, occurred_at: "2026-01-01T00:00:00.000Z", correlation_id: "c", causation_id: "c", actor: { id: "user_1", type: "user" } };
  const [same, missing, changed, extra] = ["same", "missing", "changed", "extra"].map((name) => `cus_${name}${randomUUID().slice(0, 8)}`);
  for (const id of [same!, missing!, changed!]) {
    const event = created(id, id);
    await store.appendToStream(customerStreamName(id), [{ ...event, metadata: { ...metadata, event_id: randomUUID() } } as EventToAppend], { expectedRevision: "no_stream" });
    if (id === missing) continue;
    const document = projectCustomerEvent(null, event, 0)!;
    await readModel.customers.save([{ document: id === changed ? { ...document, first_name: "Someone else" } : document, previousRevision: null }]);
  }
  await readModel.customers.save([{ document: projectCustomerEvent(null, created(extra!, "Nobody"), 0)!, previousRevision: null }]);

  const result = await runCheck({ DATA_DIR: data.dir, KAFKA_BROKERS: "127.0.0.1:1", MONGODB_URL: mongodbUrl, MONGODB_DATABASE: database }, ["--settle", "0"]);
  t.equal(result.code, 1, "differences: exit 1");
  t.match(result.stdout, /^3 customers and groups in the event store; 3 differ\.$/m);
  t.match(result.stdout, new RegExp(`^missing: ${missing} is in the event store but not in the read model$`, "m"));
  t.match(result.stdout, new RegExp(`^different: ${changed} \\(read model at revision 0, event store at 0\\) differs in first_name$`, "m"));
  t.match(result.stdout, new RegExp(`^extra: ${extra} is in the read model but no stream of the event store makes it$`, "m"));
  t.notMatch(result.stdout, new RegExp(same!), "the matching customer is not reported");
  t.notMatch(result.stdout, /Someone else/, "values are not printed, only field names");

  const shown = await runCheck({ DATA_DIR: data.dir, KAFKA_BROKERS: "127.0.0.1:1", MONGODB_URL: mongodbUrl, MONGODB_DATABASE: database }, ["--settle", "0", "--show", "1"]);
  t.match(shown.stdout, /\.\.\. and 2 more \(--show to see them\)\./);
});
