/**
 * GET /admin/customers (filters, search, order, pagination), POST /admin/customers/:id and
 * DELETE /admin/customers/:id, against Medusa 2.21.2's answers, on the embedded defaults.
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import { type TestService, startTestService } from "../support/service.js";
import { countEvents } from "../support/storeInspection.js";

let api: TestService;
t.before(async () => {
  api = await startTestService();
});
t.teardown(() => api.stop());

const create = async (body: Record<string, unknown>) => (await api.request("POST", "/admin/customers", { body })).json.customer;
const list = async (query: string) => api.request("GET", `/admin/customers?${query}`);

t.test("listing, filtering, searching, ordering and paging", async (t) => {
  // A run tag in the company name keeps this test's customers apart from the others'.
  const tag = `Co${randomUUID().slice(0, 8)}`;
  const a = await create({ email: `ada.${tag}@example.com`, first_name: "Ada", last_name: "Lovelace", company_name: `${tag} Engines`, phone: "+44 111" });
  const b = await create({ email: `ADA.${tag}@example.com`, first_name: "Ada", last_name: "Byron", company_name: `${tag} Poetry` });
  const c = await create({ email: null, first_name: "Grace", last_name: "Hopper", company_name: `${tag} Navy` });
  const d = await create({ email: `gone.${tag}@example.com`, first_name: "Gone", company_name: `${tag} Away` });
  await api.request("DELETE", `/admin/customers/${d.id}`);
  const ids = (res: { json: { customers: Array<{ id: string }> } }) => res.json.customers.map((customer) => customer.id);
  const scoped = (query: string) => list(`q=${tag}&${query}`);

  const all = await scoped("");
  t.same(Object.keys(all.json), ["customers", "count", "offset", "limit"]);
  t.same([ids(all), all.json.count, all.json.offset, all.json.limit], [[a.id, b.id, c.id], 3, 0, 50], "live customers by id, defaults 0 and 50");
  t.same(all.json.customers[0], a, "list items have the default fields");

  t.same(ids(await scoped("limit=1&offset=1")), [b.id]);
  const none = await scoped("limit=0");
  t.same([ids(none), none.json.count], [[], 3], "limit=0: no rows, the total still counted");
  t.same(ids(await list(`q=${tag.toUpperCase()}`)), [a.id, b.id, c.id], "q is case-insensitive");
  t.same(ids(await list(`q=44%20111`)).includes(a.id), true, "q searches phone too");
  t.same(ids(await scoped(`email=ada.${tag}@example.com`)), [a.id], "email is exact and case-sensitive");
  t.same(ids(await scoped(`email[]=ada.${tag}@example.com,ADA.${tag}@example.com`)), [a.id, b.id], "a one-element list is split on commas");
  t.same(ids(await scoped(`email=ada.${tag}@example.com,ADA.${tag}@example.com`)), [], "a plain value is not split");
  t.same(ids(await scoped(`id[]=${a.id}&id[]=${c.id}`)), [a.id, c.id]);
  t.same(ids(await scoped(`id[$nin][]=${a.id}`)), [b.id, c.id]);
  t.same(ids(await scoped(`first_name=Ada&last_name=Byron`)), [b.id]);
  t.same(ids(await scoped(`company_name[]=${tag} Navy`)), [c.id]);
  t.same(ids(await scoped(`$or[0][last_name]=Hopper&$or[1][last_name]=Lovelace`)), [a.id, c.id]);
  t.same(ids(await scoped(`has_account=false`)), [a.id, b.id, c.id]);
  t.same(ids(await scoped(`has_account=TRUE`)), []);
  t.same(ids(await scoped(`created_at[$gte]=${a.created_at}&created_at[$lt]=${c.created_at}`)), [a.id, b.id]);
  t.same(ids(await scoped(`created_at[$gt]=2020-01-01`)), [a.id, b.id, c.id]);
  t.same(ids(await scoped(`created_by=${a.created_by}`)), [a.id, b.id, c.id]);
  t.same(ids(await scoped(`groups=cusgroup_nope`)), [], "no customer is in an unknown group");
  t.same(ids(await scoped("order=-last_name")), [a.id, c.id, b.id]);
  t.same(ids(await scoped("order=email")), [b.id, a.id, c.id], "ascending puts customers without an email last, as Medusa's PostgreSQL does");
  t.same(ids(await scoped("order=-email")), [c.id, a.id, b.id], "and descending first");
  t.same(ids(await scoped("order=phone&limit=2")), [a.id, b.id], "a page across the missing values' edge");
  t.same(ids(await scoped("order=-phone&limit=2&offset=1")), [c.id, a.id]);
  t.same((await scoped("fields=id,email")).json.customers[0], { id: a.id, email: a.email });
  t.same(ids(await scoped(`with_deleted=true`)), [a.id, b.id, c.id], "with_deleted is accepted and, as in Medusa, changes nothing");
});

t.test("list query errors", async (t) => {
  const cases: Array<[string, string]> = [
    ["limit=abc", "Invalid request: Expected type: 'number' for field 'limit', got: 'abc'"],
    ["limit=-1", "Invalid request: Value for field 'limit' too small, expected at least: '0'"],
    ["offset=-1", "Invalid request: Value for field 'offset' too small, expected at least: '0'"],
    ["limit=1001", "Invalid request: Value for field 'limit' too big, expected at most: '1000'"],
    // parseInt would read these as 1 and 0; the bounds hold for the number as written.
    ["limit=1.1922692553403605e%2B308", "Invalid request: Value for field 'limit' too big, expected at most: '1000'"],
    ["offset=-0.5", "Invalid request: Value for field 'offset' too small, expected at least: '0'"],
    ["unknown=1", "Invalid request: Unrecognized fields: 'unknown'"],
    ["phone=1", "Invalid request: Unrecognized fields: 'phone'"],
    ["has_account=maybe", "Invalid request: Invalid input"],
    ["order=foo", "Order field foo is not valid"],
    ["order=created_at,email", "Order field created_at,email is not valid"],
    ["fields[]=id&fields[]=email", "Invalid request: Expected type: 'string' for field 'fields', got: 'id,email'"],
    ["a.b.c=1", "Key accessor more than 2 levels deep: a.b.c"],
    ["created_at[$gt]=yesterday", "Invalid request: 'yesterday' is not a date for field 'created_at'"],
    // zod reports a union's type errors first; Medusa formats only those.
    ["id[$foo]=1", "Invalid request: Expected type: 'string, array' for field 'id', got: '[object Object]'"],
  ];
  for (const [query, message] of cases) {
    const res = await list(query);
    t.same([res.status, res.json], [400, { type: "invalid_data", message }], query);
  }
});

t.test("updating: fields, metadata merge, answers and not-found", async (t) => {
  const customer = await create({ email: `upd.${randomUUID()}@example.com`, first_name: "Ada", metadata: { foo: "bar", keep: 1 } });
  const path = `/admin/customers/${customer.id}`;
  const updated = await api.request("POST", path, { body: { last_name: "Lovelace", metadata: { foo: "", x: 2 } } });
  t.equal(updated.status, 200);
  t.match(updated.json.customer, { id: customer.id, first_name: "Ada", last_name: "Lovelace", metadata: { keep: 1, x: 2 }, created_at: customer.created_at });
  t.notOk("foo" in updated.json.customer.metadata, '"" deletes a key');
  t.ok(updated.json.customer.updated_at > customer.updated_at, "updated_at moves");
  t.same((await api.request("GET", path)).json.customer, updated.json.customer, "the read model holds the update");

  const same = await api.request("POST", path, { body: { metadata: {} } });
  t.same(same.json.customer, updated.json.customer, "an empty metadata object changes nothing");
  const cleared = await api.request("POST", `${path}?fields=id,metadata`, { body: { metadata: null } });
  t.same(cleared.json.customer, { id: customer.id, metadata: null });

  const unknown = await api.request("POST", "/admin/customers/cus_nope", { body: { first_name: "X" } });
  t.same([unknown.status, unknown.json], [404, { type: "not_found", message: 'Customer with id "cus_nope" not found' }]);
  const invalid = await api.request("POST", path, { body: { has_account: true } });
  t.same([invalid.status, invalid.json.message], [400, "Invalid request: Unrecognized fields: 'has_account'"]);
  const badEmail = await api.request("POST", path, { body: { email: "nope" } });
  t.same([badEmail.status, badEmail.json.message], [400, "Invalid request: Invalid email address"]);
});

t.test("email uniqueness across update and delete", async (t) => {
  const first = `first.${randomUUID()}@example.com`;
  const second = `second.${randomUUID()}@example.com`;
  const a = await create({ email: first });
  const b = await create({ email: second });
  const before = await countEvents(api.dataDir);
  const clash = await api.request("POST", `/admin/customers/${b.id}`, { body: { email: first, first_name: "Changed" } });
  t.same([clash.status, clash.json], [400, { type: "invalid_data", message: `Customer with email: ${first}, has_account: false, already exists.` }]);
  t.equal(await countEvents(api.dataDir), before, "a refused update writes nothing");
  t.equal((await api.request("GET", `/admin/customers/${b.id}`)).json.customer.first_name, null);

  t.equal((await api.request("POST", `/admin/customers/${a.id}`, { body: { email: `moved.${first}` } })).status, 200);
  t.equal((await api.request("POST", "/admin/customers", { body: { email: first } })).status, 200, "changing an email frees the old one");

  const deleted = await api.request("DELETE", `/admin/customers/${b.id}`);
  t.same([deleted.status, deleted.json], [200, { id: b.id, object: "customer", deleted: true }]);
  t.equal((await api.request("POST", "/admin/customers", { body: { email: second } })).status, 200, "deleting frees the email");
});

t.test("deleting: soft, idempotent, always 200, query ignored", async (t) => {
  const customer = await create({ first_name: "Temp" });
  const path = `/admin/customers/${customer.id}`;
  t.same((await api.request("DELETE", `${path}?fields=id&whatever=1`)).json, { id: customer.id, object: "customer", deleted: true });
  t.equal((await api.request("GET", path)).status, 404, "a deleted customer is gone from reads at once");
  t.equal((await api.request("DELETE", path)).status, 200, "deleting again is fine");
  t.same((await api.request("DELETE", "/admin/customers/cus_nope")).json, { id: "cus_nope", object: "customer", deleted: true });
  const update = await api.request("POST", path, { body: { first_name: "Back" } });
  t.same([update.status, update.json.message], [404, `Customer with id "${customer.id}" not found`]);
});

t.test("concurrent updates of one customer never lose a change", async (t) => {
  const customer = await create({ first_name: "Busy" });
  const responses = await Promise.all(
    Array.from({ length: 24 }, (_, i) => api.request("POST", `/admin/customers/${customer.id}`, { body: { metadata: { [`k${i}`]: i } } })),
  );
  t.ok(responses.every((res) => res.status === 200), "every update is accepted");
  const final = (await api.request("GET", `/admin/customers/${customer.id}`)).json.customer;
  t.same(Object.keys(final.metadata).sort(), Array.from({ length: 24 }, (_, i) => `k${i}`).sort(), "every key written survives");
});

t.test("hostile patterns: $re, $like and $ilike on ids run in linear time, and a bad one is 400", async (t) => {
  const tag = `Re${randomUUID().slice(0, 8)}`;
  const created = [];
  for (let n = 0; n < 36; n += 1) created.push(await create({ company_name: tag }));
  const health = async () => (await api.request("GET", "/health", { token: false })).status;

  // On 30-character ids, each of these takes a backtracking engine minutes per document.
  for (const pattern of [`id[$re]=${encodeURIComponent("^(\\w+)+!$")}`, `id[$re]=${encodeURIComponent("^(\\w|\\w\\w)+!$")}`, `id[$like]=${"%25_".repeat(10)}!`, `id[$ilike]=${"%25C".repeat(12)}!`]) {
    const started = performance.now();
    const [res, healthStatus] = await Promise.all([list(`company_name=${tag}&${pattern}`), health()]);
    const ms = performance.now() - started;
    t.same([res.status, res.json.count], [200, 0], `${decodeURIComponent(pattern)}: nothing matches`);
    t.equal(healthStatus, 200, "the service answered /health meanwhile");
    t.ok(ms < 2_000, `answered in ${Math.round(ms)} ms`);
  }
  const target = created[7].id as string;
  const found = await list(`company_name=${tag}&id[$re]=${encodeURIComponent(`^${target}$`)}&id[$ilike]=${encodeURIComponent(`%${target.slice(-6).toLowerCase()}`)}`);
  t.same(found.json.customers.map((customer: { id: string }) => customer.id), [target], "patterns still match what they should");

  const cases: Array<[string, string]> = [
    ["id[$re]=(", "Invalid request: the pattern for field 'id' cannot be used (missing closing ): `(`)"],
    ["id[$re]=(%3F%3Da)", "Invalid request: the pattern for field 'id' cannot be used (invalid or unsupported Perl syntax: `(?=`)"],
    [`id[$re]=${"a".repeat(257)}`, "Invalid request: the pattern for field 'id' cannot be used (it is longer than 256 characters)"],
    [`id[$like]=${"%25".repeat(257)}`, "Invalid request: the pattern for field 'id' cannot be used (it is longer than 256 characters)"],
  ];
  for (const [query, message] of cases) {
    const res = await list(query);
    t.same([res.status, res.json], [400, { type: "invalid_data", message }], query.slice(0, 40));
  }
});

t.test("metadata keys named __proto__, constructor and prototype are plain data, on create and on update", async (t) => {
  const json = { "content-type": "application/json" };
  const created = await api.request("POST", "/admin/customers", {
    rawBody: '{"metadata":{"__proto__":{"polluted":true},"constructor":1,"prototype":"p","keep":"k"}}',
    headers: json,
  });
  t.equal(created.status, 200);
  t.same(created.text.includes('"metadata":{"__proto__":{"polluted":true},"constructor":1,"prototype":"p","keep":"k"}'), true, "stored and answered as sent");
  const id = created.json.customer.id;
  const updated = await api.request("POST", `/admin/customers/${id}`, { rawBody: '{"metadata":{"__proto__":{"other":1},"constructor":""}}', headers: json });
  t.equal(updated.status, 200);
  t.ok(updated.text.includes('"metadata":{"__proto__":{"other":1},"prototype":"p","keep":"k"}'), `merged like any key: ${updated.text.slice(0, 300)}`);
  const read = await api.request("GET", `/admin/customers/${id}`);
  t.equal(JSON.stringify(read.json.customer.metadata), '{"__proto__":{"other":1},"prototype":"p","keep":"k"}', "the read model holds the same");
  t.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype was touched");
  t.equal(({} as Record<string, unknown>).other, undefined);
});
