/**
 * Idempotency-Key on /admin writes: the same request with the same key replays the first
 * answer and writes nothing; another request with it answers 422; one still running, 409.
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import { createApiKey } from "../support/auth.js";
import { type TestService, startTestService } from "../support/service.js";

let api: TestService;
t.before(async () => {
  api = await startTestService();
});
t.teardown(() => api.stop());

const keyed = (method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) =>
  api.request(method, path, { body, headers: { "idempotency-key": key, ...headers } });

const countByEmail = async (email: string): Promise<number> => (await api.request("GET", `/admin/customers?email=${encodeURIComponent(email)}`)).json.count;

t.test("a create retried with its key answers the same customer, created once", async (t) => {
  const key = randomUUID();
  const email = `idem-${key}@example.com`;
  const first = await keyed("POST", "/admin/customers", key, { email, first_name: "Once" });
  t.equal(first.status, 200);
  t.equal(first.headers.get("idempotent-replayed"), null);
  const again = await keyed("POST", "/admin/customers", key, { first_name: "Once", email });
  t.equal(again.status, 200);
  t.equal(again.text, first.text, "the first answer, byte for byte (keys in another order are the same body)");
  t.equal(again.headers.get("idempotent-replayed"), "true");
  t.equal(again.headers.get("etag"), first.headers.get("etag"), "with its ETag");
  t.equal(await countByEmail(email), 1, "one customer");
  const history = await api.request("GET", `/admin/customers/${first.json.customer.id}/history`);
  t.equal(history.json.count, 1, "one event");
});

t.test("the same key with another request answers 422 and changes nothing", async (t) => {
  const key = randomUUID();
  const { json } = await keyed("POST", "/admin/customers", key, { first_name: "First" });
  const other = await keyed("POST", "/admin/customers", key, { first_name: "Second" });
  t.same([other.status, other.json.type], [422, "invalid_data"]);
  t.match(other.json.message, /used in the last 24 hours for a different request/);
  const withQuery = await keyed("POST", "/admin/customers?fields=id", key, { first_name: "First" });
  t.equal(withQuery.status, 422, "another query is another request");
  const update = await keyed("POST", `/admin/customers/${json.customer.id}`, key, { first_name: "First" });
  t.equal(update.status, 200, "another route is another scope");
  t.equal((await api.request("GET", `/admin/customers?q=Second`)).json.count, 0);
});

t.test("keys are the actor's own", async (t) => {
  const key = randomUUID();
  const mine = await keyed("POST", "/admin/customer-groups", key, { name: `Idem ${key}` });
  t.equal(mine.status, 200);
  const { secret } = await createApiKey(api.dataDir, "Idem");
  const theirs = await api.request("POST", "/admin/customer-groups", {
    token: false,
    headers: { authorization: `Basic ${secret}`, "idempotency-key": key },
    body: { name: `Idem other ${key}` },
  });
  t.equal(theirs.status, 200, "another actor's same key is another key");
  t.not(theirs.json.customer_group.id, mine.json.customer_group.id);
});

t.test("concurrent requests with one key: one runs, the others get 409 or its answer", async (t) => {
  const key = randomUUID();
  const email = `race-${key}@example.com`;
  const answers = await Promise.all(Array.from({ length: 8 }, () => keyed("POST", "/admin/customers", key, { email })));
  const statuses = answers.map((res) => res.status);
  t.ok(statuses.every((status) => status === 200 || status === 409), `only 200 and 409: ${statuses}`);
  const created = answers.filter((res) => res.status === 200);
  t.ok(created.length >= 1);
  t.equal(new Set(created.map((res) => res.json.customer.id)).size, 1, "every 200 is the one customer");
  for (const conflict of answers.filter((res) => res.status === 409)) t.equal(conflict.json.code, "invalid_state_error", "Medusa's conflict body");
  t.equal(await countByEmail(email), 1);
  const later = await keyed("POST", "/admin/customers", key, { email });
  t.same([later.status, later.json.customer.id], [200, created[0]!.json.customer.id], "once answered, replayed");
});

t.test("an answer that refused is replayed too; deletes and updates take keys", async (t) => {
  const email = `taken-${randomUUID()}@example.com`;
  await api.request("POST", "/admin/customers", { body: { email } });
  const key = randomUUID();
  const refused = await keyed("POST", "/admin/customers", key, { email });
  t.equal(refused.status, 400);
  const replayed = await keyed("POST", "/admin/customers", key, { email });
  t.same([replayed.status, replayed.text, replayed.headers.get("idempotent-replayed")], [400, refused.text, "true"]);

  const { json } = await api.request("POST", "/admin/customers", { body: { first_name: "To delete" } });
  const deleteKey = randomUUID();
  t.equal((await keyed("DELETE", `/admin/customers/${json.customer.id}`, deleteKey)).status, 200);
  const deletedAgain = await keyed("DELETE", `/admin/customers/${json.customer.id}`, deleteKey);
  t.same([deletedAgain.status, deletedAgain.headers.get("idempotent-replayed")], [200, "true"]);
});

t.test("a key must be visible ASCII of at most 255 characters; without a key nothing changes", async (t) => {
  for (const key of ["x".repeat(256), "with space"]) {
    const res = await keyed("POST", "/admin/customers", key, { first_name: "Bad key" });
    t.same([res.status, res.json.type], [400, "invalid_data"], JSON.stringify(key.slice(0, 20)));
  }
  const a = await api.request("POST", "/admin/customers", { body: { first_name: "Twice" } });
  const b = await api.request("POST", "/admin/customers", { body: { first_name: "Twice" } });
  t.not(a.json.customer.id, b.json.customer.id, "two requests without a key are two creates");
  const invalid = await keyed("POST", "/admin/customers", randomUUID(), { first_name: 12 });
  t.equal(invalid.status, 400, "an invalid body is refused before its key is looked at");
});
