/**
 * The history routes: every change of a customer or a group, newest first, with who made it
 * and each field before and after; paged by offset and by a revision cursor, shaped by `fields`.
 */
import t from "tap";
import { createApiKey } from "../support/auth.js";
import { ADMIN_ID, type TestService, startTestService } from "../support/service.js";

let api: TestService;
t.before(async () => {
  api = await startTestService();
});
t.teardown(() => api.stop());

const ok = async (method: string, path: string, body?: unknown) => {
  const res = await api.request(method, path, { body });
  if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
  return res.json;
};

const history = async (path: string) => {
  const res = await api.request("GET", path);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text}`);
  return res.json;
};

t.test("a customer's history lists every change, newest first, before and after; a deleted customer keeps it", async (t) => {
  const { customer } = await ok("POST", "/admin/customers", { email: "history@example.com", first_name: "Ann", metadata: { tier: "gold" } });
  const id = customer.id;
  await ok("POST", `/admin/customers/${id}`, { first_name: "Anna", metadata: { tier: "silver", since: 2020 } });
  const withAddress = await ok("POST", `/admin/customers/${id}/addresses?fields=*addresses`, { city: "Akron", country_code: "us" });
  const address = withAddress.customer.addresses[0];
  await ok("POST", `/admin/customers/${id}/addresses/${address.id}`, { city: "Ohio City" });
  const { customer_group: group } = await ok("POST", "/admin/customer-groups", { name: "History VIP" });
  await ok("POST", `/admin/customers/${id}/customer-groups`, { add: [group.id] });
  await ok("POST", `/admin/customers/${id}/customer-groups`, { remove: [group.id] });
  await ok("DELETE", `/admin/customers/${id}/addresses/${address.id}`);
  await ok("DELETE", `/admin/customers/${id}`);
  t.equal((await api.request("GET", `/admin/customers/${id}`)).status, 404, "the customer is gone from reads");

  const body = await history(`/admin/customers/${id}/history`);
  t.same(
    body.history.map((entry: { type: string; revision: number }) => [entry.revision, entry.type]),
    [
      [7, "CustomerDeleted"],
      [6, "CustomerAddressRemoved"],
      [5, "CustomerRemovedFromGroup"],
      [4, "CustomerAddedToGroup"],
      [3, "CustomerAddressUpdated"],
      [2, "CustomerAddressAdded"],
      [1, "CustomerUpdated"],
      [0, "CustomerCreated"],
    ],
  );
  t.same([body.count, body.offset, body.limit], [8, 0, 50]);
  const [deleted, removed, left, joined, moved, added, updated, created] = body.history;
  t.same(Object.keys(created), ["id", "revision", "type", "occurred_at", "created_by", "changes"], "the default fields, in order");
  t.equal(created.created_by, ADMIN_ID);
  t.equal(created.occurred_at, customer.created_at, "a create occurred when the customer was created");
  t.match(created.id, /^[0-9a-f-]{36}$/, "an entry's id is its event's");
  t.same(created.changes, [
    { field: "email", before: null, after: "history@example.com" },
    { field: "first_name", before: null, after: "Ann" },
    { field: "metadata", before: null, after: { tier: "gold" } },
    { field: "has_account", before: null, after: false },
    { field: "created_by", before: null, after: ADMIN_ID },
    { field: "created_at", before: null, after: customer.created_at },
  ].sort(byCreatedOrder(created.changes)));
  t.same(updated.changes, [
    { field: "first_name", before: "Ann", after: "Anna" },
    { field: "metadata", before: { tier: "gold" }, after: { tier: "silver", since: 2020 } },
  ]);
  t.same(added.changes, [{ field: `addresses.${address.id}`, before: null, after: address }], "an added address, whole");
  t.same(moved.changes, [{ field: `addresses.${address.id}.city`, before: "Akron", after: "Ohio City" }]);
  t.same(joined.changes, [{ field: `groups.${group.id}`, before: null, after: { id: group.id } }]);
  t.same(left.changes, [{ field: `groups.${group.id}`, before: { id: group.id }, after: null }]);
  t.same(removed.changes, [{ field: `addresses.${address.id}`, before: { ...address, city: "Ohio City", updated_at: moved.occurred_at }, after: null }], "a removed address as it last was");
  t.match(deleted.changes, [{ field: "deleted_at", before: null, after: String }]);
  t.ok(body.history.every((entry: { created_by: string }) => entry.created_by === ADMIN_ID));
});

/** The create's changes come in the event's field order; compare them as a set. */
function byCreatedOrder(actual: Array<{ field: string }>) {
  const order = actual.map((change) => change.field);
  return (a: { field: string }, b: { field: string }) => order.indexOf(a.field) - order.indexOf(b.field);
}

t.test("pages by offset and limit, by a revision cursor, oldest first on request", async (t) => {
  const { customer } = await ok("POST", "/admin/customers", { first_name: "v0" });
  for (let i = 1; i <= 6; i++) await ok("POST", `/admin/customers/${customer.id}`, { first_name: `v${i}` });
  const revisions = (body: { history: Array<{ revision: number }> }) => body.history.map((entry) => entry.revision);
  const base = `/admin/customers/${customer.id}/history`;

  const first = await history(`${base}?limit=3`);
  t.same([revisions(first), first.count, first.limit], [[6, 5, 4], 7, 3]);
  const second = await history(`${base}?limit=3&offset=3`);
  t.same([revisions(second), second.count, second.offset], [[3, 2, 1], 7, 3]);
  const after = await history(`${base}?limit=3&revision[$lt]=4`);
  t.same([revisions(after), after.count], [[3, 2, 1], 4], "the cursor: entries below the last one seen");
  t.same(revisions(await history(`${base}?revision[$gte]=2&revision[$lte]=3`)), [3, 2]);
  t.same(revisions(await history(`${base}?revision[$gt]=4`)), [6, 5]);
  t.same(revisions(await history(`${base}?order=revision&limit=2&offset=1`)), [1, 2], "oldest first");
  t.same(revisions(await history(`${base}?order=-revision&limit=1`)), [6]);
  const past = await history(`${base}?offset=10`);
  t.same([past.history, past.count], [[], 7], "past the end: nothing, and the count");
  t.same(revisions(await history(`${base}?revision[$lt]=0`)), []);
  t.same((await history(`${base}?limit=0`)).history, []);

  // Writes after the first page do not shift a cursor's page.
  await ok("POST", `/admin/customers/${customer.id}`, { first_name: "v7" });
  t.same(revisions(await history(`${base}?limit=3&revision[$lt]=4`)), [3, 2, 1]);
});

t.test("fields picks an entry's fields; the request id and the actor's kind are there to ask for", async (t) => {
  const res = await api.request("POST", "/admin/customers", { body: { first_name: "Traced" }, headers: { "x-request-id": "trace-history-1" } });
  const id = res.json.customer.id;
  const only = await history(`/admin/customers/${id}/history?fields=type,revision`);
  t.same(only.history, [{ type: "CustomerCreated", revision: 0, id: only.history[0].id }]);
  const more = await history(`/admin/customers/${id}/history?fields=+correlation_id,+actor_type,-changes`);
  const [entry] = more.history;
  t.same(Object.keys(entry), ["id", "revision", "type", "occurred_at", "created_by", "correlation_id", "actor_type"], "added fields in the order asked");
  t.same([entry.correlation_id, entry.actor_type], ["trace-history-1", "user"]);
});

t.test("a secret key's changes name the key as their author", async (t) => {
  const { key, secret } = await createApiKey(api.dataDir, "History");
  const created = await api.request("POST", "/admin/customers", { token: false, headers: { authorization: `Basic ${secret}` }, body: { first_name: "By key" } });
  const body = await history(`/admin/customers/${created.json.customer.id}/history`);
  t.equal(body.history[0].created_by, key.id);
  t.match(key.id, /^apk_/);
});

t.test("a group's history: its own changes", async (t) => {
  const { customer_group: group } = await ok("POST", "/admin/customer-groups", { name: "Hist A", metadata: { a: 1 } });
  await ok("POST", `/admin/customer-groups/${group.id}`, { name: "Hist B" });
  await ok("DELETE", `/admin/customer-groups/${group.id}`);
  const body = await history(`/admin/customer-groups/${group.id}/history`);
  t.same(
    body.history.map((entry: { type: string }) => entry.type),
    ["CustomerGroupDeleted", "CustomerGroupUpdated", "CustomerGroupCreated"],
  );
  t.same(body.history[1].changes, [{ field: "name", before: "Hist A", after: "Hist B" }]);
  t.same(
    body.history[2].changes.map((change: { field: string }) => change.field).sort(),
    ["created_at", "created_by", "metadata", "name"],
  );
});

t.test("unknown ids answer 404; bad queries 400; no credentials 401", async (t) => {
  const unknownCustomer = await api.request("GET", "/admin/customers/cus_nope/history");
  t.same([unknownCustomer.status, unknownCustomer.json], [404, { type: "not_found", message: "Customer with id: cus_nope not found" }]);
  const unknownGroup = await api.request("GET", "/admin/customer-groups/cusgroup_nope/history");
  t.same([unknownGroup.status, unknownGroup.json], [404, { type: "not_found", message: "Customer group with id: cusgroup_nope not found" }]);
  const { customer } = await ok("POST", "/admin/customers", { first_name: "Queried" });
  for (const query of ["limit=abc", "offset=-1", "limit=1001", "order=first_name", "revision[$ne]=1", "revision[$lt]=x", "revision=3", "unknown=1"]) {
    const res = await api.request("GET", `/admin/customers/${customer.id}/history?${query}`);
    t.equal(res.status, 400, query);
    t.equal(res.json.type, "invalid_data", query);
  }
  const anonymous = await api.request("GET", `/admin/customers/${customer.id}/history`, { token: false });
  t.equal(anonymous.status, 401);
});

t.test("a page size or offset out of bounds as written is refused, although parseInt would read it as small", async (t) => {
  const { customer } = await ok("POST", "/admin/customers", { email: "history.bounds@example.com" });
  for (const query of ["limit=1.1922692553403605e%2B308", "offset=5.9e%2B307&limit=1.03e%2B308", "limit=-0.5"]) {
    const res = await api.request("GET", `/admin/customers/${customer.id}/history?${query}`);
    t.equal(res.status, 400, query);
    t.match(res.json, { type: "invalid_data", message: /^Invalid request: Value for field '(limit|offset)' too (big|small)/ }, query);
  }
  const fine = await api.request("GET", `/admin/customers/${customer.id}/history?limit=1.5`);
  t.equal(fine.status, 200, "a fraction in bounds is still read as Medusa reads it");
  t.equal((fine.json as { limit: number }).limit, 1);
});
