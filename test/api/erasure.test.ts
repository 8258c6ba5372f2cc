/**
 * Erasure (crypto-shredding) in the embedded mode: `POST /admin/customers/:id/erase` records
 * CustomerErased, frees the email and destroys the customer's data key. Afterwards no read,
 * history, restart or rebuild shows its personal data, and none of it is in the raw files of
 * the event store or the key store, while another customer's data is still there for reads.
 */
import { join } from "node:path";
import t from "tap";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { EVENT_STORE_FILE } from "../../shared/runtime/adapters.js";
import { KEY_RECORDS_FILE } from "../../shared/runtime/keys.js";
import { filesUnder, findingsIn } from "../support/personalDataScan.js";
import { type TestService, makeDataDir, startTestService } from "../support/service.js";

const ERASED = {
  email: "erase.me.zq81@example.org",
  first_name: "Ezqfirst",
  last_name: "Ezqlast",
  phone: "+47 555 81 8181",
  company_name: "Ezq Holdings",
  metadata: { loyalty: "ezq-card-8181" },
};
const ERASED_ADDRESS = { address_1: "81 Ezqstreet", city: "Ezqtown", postal_code: "EZQ 81", first_name: "Ezqaddr" };
const KEPT = { email: "keep.me.zq72@example.org", first_name: "Kzqfirst", last_name: "Kzqlast" };

const call = async (api: TestService, method: string, path: string, body?: unknown, status = 200) => {
  const res = await api.request(method, path, { body });
  if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}, not ${status}: ${res.text}`);
  return res.json;
};

/** The text of an SSE stream until `enough` says so (or 10 s pass). */
async function sseUntil(api: TestService, path: string, enough: (text: string) => boolean): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  const response = await fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${api.token}`, accept: "text/event-stream" }, signal: controller.signal });
  let text = "";
  try {
    for await (const chunk of response.body!) {
      text += Buffer.from(chunk).toString("utf8");
      if (enough(text)) break;
    }
  } catch {
    // Aborted after 10 s: what came is answered.
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return text;
}

/** The raw files of the event store and of the key store (journals included). */
const storeFiles = (dataDir: string) =>
  filesUnder(dataDir).filter((file) => file.includes(EVENT_STORE_FILE) || file.includes(KEY_RECORDS_FILE));

t.test("an erased customer's personal data is gone from every read and from the raw files", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  let api = await startTestService({ dataDir: data.dir });
  t.teardown(() => api.stop());

  // With an Idempotency-Key: its recorded answer holds the customer too.
  const created = await api.request("POST", "/admin/customers", { body: ERASED, headers: { "idempotency-key": "erasure-create-1" } });
  t.equal(created.status, 200);
  const replay = await api.request("POST", "/admin/customers", { body: ERASED, headers: { "idempotency-key": "erasure-create-1" } });
  t.same(replay.json, created.json, "the sealed answer replays as it was sent");
  const { customer } = created.json;
  const id = customer.id as string;
  await call(api, "POST", `/admin/customers/${id}`, { last_name: `${ERASED.last_name}x` });
  await call(api, "POST", `/admin/customers/${id}/addresses`, ERASED_ADDRESS);
  const { customer_group: group } = await call(api, "POST", "/admin/customer-groups", { name: "Erasure group" });
  await call(api, "POST", `/admin/customers/${id}/customer-groups`, { add: [group.id] });
  const { customer: kept } = await call(api, "POST", "/admin/customers", KEPT);

  const erased = await call(api, "POST", `/admin/customers/${id}/erase`);
  t.same(erased, { id, object: "customer", erased: true });
  t.same(await call(api, "POST", `/admin/customers/${id}/erase`), erased, "erasing again answers the same and writes nothing");
  const unknown = await api.request("POST", "/admin/customers/cus_NEVERWAS/erase");
  t.equal(unknown.status, 404, "an id that never was a customer: 404");
  t.match(unknown.json, { type: "not_found" });

  const sse = await sseUntil(api, "/admin/events?from=beginning", (text) => text.includes("CustomerErased"));
  t.ok(sse.includes(`"type":"CustomerErased"`), "the erasure is on the SSE stream");
  t.notOk(sse.includes(ERASED.email) || sse.includes(ERASED.first_name), "which shows the earlier events without the personal data");
  t.equal((await api.request("GET", `/admin/customers/${id}`)).status, 404, "gone from retrieve");
  t.equal((await call(api, "GET", `/admin/customers?q=${ERASED.first_name}`)).count, 0, "and from search");
  t.equal((await call(api, "GET", `/admin/customers?groups=${group.id}`)).count, 0, "and from its group");
  t.equal((await api.request("POST", `/admin/customers/${id}`, { body: { first_name: "Back" } })).status, 404, "it cannot be written again");
  t.equal((await api.request("POST", `/admin/customers/${id}/addresses`, { body: { city: "Back" } })).status, 404);
  t.match((await call(api, "GET", `/admin/customers/${kept.id}`)).customer, KEPT, "another customer reads as before");

  const historyText = JSON.stringify(await call(api, "GET", `/admin/customers/${id}/history?limit=100`));
  for (const value of [ERASED.email, ERASED.first_name, ERASED.phone, ERASED_ADDRESS.address_1, "ezq-card-8181"]) t.notOk(historyText.includes(value), `the history holds no ${value}`);
  const history = await call(api, "GET", `/admin/customers/${id}/history?limit=100`);
  t.equal(history.history[0].type, "CustomerErased", "the history ends with the erasure");
  t.equal(history.history.at(-1).type, "CustomerCreated", "and still shows that it was created, and when");
  t.match(
    Object.fromEntries(history.history.at(-1).changes.map((change: { field: string; after: unknown }) => [change.field, change.after])),
    { email: null, first_name: null, phone: null, metadata: null, has_account: false },
    "with the personal fields as null",
  );
  t.notOk(history.history.some((entry: { changes: Array<{ field: string }> }) => entry.changes.some((change) => change.field === "erased")), "the erasure mark is not shown as a field");

  const reuse = await call(api, "POST", "/admin/customers", { email: ERASED.email });
  t.not(reuse.customer.id, id, "the email is free for a new customer");
  await call(api, "DELETE", `/admin/customers/${reuse.customer.id}`);

  await api.stop();
  const keptValues = [KEPT.email, KEPT.first_name];
  t.same(findingsIn(storeFiles(data.dir), [...Object.values(ERASED).filter((v) => typeof v === "string"), ...Object.values(ERASED_ADDRESS), "ezq-card-8181", `${ERASED.last_name}x`]), [], "no raw file of the stores holds the erased customer's data");
  t.same(findingsIn(storeFiles(data.dir), keptValues), [], "(nor, in the clear, any other customer's: it is sealed)");
  t.ok(storeFiles(data.dir).length >= 2, "the scan looked at the event store's and the key store's files");

  const store = new SqliteEventStore(join(data.dir, EVENT_STORE_FILE));
  const raw = await store.readStream(`customer-${id}`);
  await store.close();
  t.match(raw[0]!.data, { id, sealed: { fields: ["email", "company_name", "first_name", "last_name", "phone", "metadata"] } }, "the store holds the sealed form");

  api = await startTestService({ dataDir: data.dir });
  t.equal((await api.request("GET", `/admin/customers/${id}`)).status, 404, "still gone after a restart");
  await call(api, "POST", "/admin/projections/rebuild", undefined, 202);
  for (let tries = 0; tries < 1200; tries += 1) {
    const { projections } = await call(api, "GET", "/admin/projections");
    if (projections[0].rebuild?.state === "done") break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.equal((await call(api, "GET", "/admin/projections")).projections[0].rebuild?.state, "done", "the rebuild finished");
  t.equal((await api.request("GET", `/admin/customers/${id}`)).status, 404, "and after a rebuild from the log");
  t.equal((await call(api, "GET", `/admin/customers?q=${ERASED.first_name}`)).count, 0);
  t.match((await call(api, "GET", `/admin/customers/${kept.id}`)).customer, KEPT, "the other customer is rebuilt with its data");
});
