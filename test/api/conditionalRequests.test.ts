/**
 * ETags and conditional requests: a strong ETag of the stream revision on every answer of one
 * customer, address or group; If-None-Match answers 304; If-Match decides a write on that
 * revision or answers 412 and writes nothing; lists have weak tags.
 */
import t from "tap";
import { type TestService, startTestService } from "../support/service.js";

let api: TestService;
t.before(async () => {
  api = await startTestService();
});
t.teardown(() => api.stop());

const STRONG = /^"(\d+)-[A-Za-z0-9_-]{16}"$/;
const revisionOf = (etag: string | null): number => Number(STRONG.exec(etag ?? "")?.[1] ?? Number.NaN);

const send = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => api.request(method, path, { headers, body });

async function newCustomer(body: Record<string, unknown> = { first_name: "Etag" }) {
  const res = await send("POST", "/admin/customers", {}, body);
  t.equal(res.status, 200);
  return { id: res.json.customer.id as string, etag: res.headers.get("etag")! };
}

t.test("a customer's answers carry a strong ETag of its revision; If-None-Match answers 304", async (t) => {
  const { id, etag: created } = await newCustomer();
  t.match(created, STRONG, "a create's answer has a strong tag");
  t.equal(revisionOf(created), 0);
  const got = await send("GET", `/admin/customers/${id}`);
  t.equal(got.headers.get("etag"), created, "a GET of the same revision and fields has the same tag");
  const notModified = await send("GET", `/admin/customers/${id}`, { "if-none-match": created });
  t.same([notModified.status, notModified.text, notModified.headers.get("etag")], [304, "", created]);
  t.equal((await send("GET", `/admin/customers/${id}`, { "if-none-match": `"x", W/${created}` })).status, 304, "a list of tags, weak comparison");
  t.equal((await send("GET", `/admin/customers/${id}`, { "if-none-match": "*" })).status, 304);

  const fewer = await send("GET", `/admin/customers/${id}?fields=id,first_name`);
  t.equal(revisionOf(fewer.headers.get("etag")), 0, "another representation of the same revision");
  t.not(fewer.headers.get("etag"), created, "has a tag of its own");

  const updated = await send("POST", `/admin/customers/${id}`, {}, { first_name: "Changed" });
  t.equal(revisionOf(updated.headers.get("etag")), 1, "an update's answer has the new revision's tag");
  const after = await send("GET", `/admin/customers/${id}`, { "if-none-match": created });
  t.equal(after.status, 200, "the old tag no longer matches");
  t.equal(after.json.customer.first_name, "Changed");
});

t.test("If-Match decides an update at that revision; a stale tag answers 412 and changes nothing", async (t) => {
  const { id, etag } = await newCustomer({ first_name: "A", email: "if-match@example.com" });
  const first = await send("POST", `/admin/customers/${id}`, { "if-match": etag }, { first_name: "B" });
  t.equal(first.status, 200);
  const current = first.headers.get("etag")!;
  t.equal(revisionOf(current), 1);

  const stale = await send("POST", `/admin/customers/${id}`, { "if-match": etag }, { first_name: "C", email: "other@example.com" });
  t.equal(stale.status, 412);
  t.equal(stale.json.type, "conflict");
  t.match(stale.json.message, /changed since the revision If-Match names \(it is at revision 1 now\)/);
  const seen = await send("GET", `/admin/customers/${id}`);
  t.same([seen.json.customer.first_name, seen.json.customer.email], ["B", "if-match@example.com"], "nothing changed");
  t.equal((await send("POST", "/admin/customers", {}, { email: "other@example.com" })).status, 200, "and the refused write reserved no email");

  for (const header of [`W/${current}`, '"garbage"', "nonsense"]) {
    t.equal((await send("POST", `/admin/customers/${id}`, { "if-match": header }, { first_name: "D" })).status, 412, `${header} matches no revision`);
  }
  t.equal((await send("POST", `/admin/customers/${id}`, { "if-match": `"0-x", ${current}` }, { first_name: "D" })).status, 200, "one of several tags");
  t.equal((await send("POST", `/admin/customers/${id}`, { "if-match": "*" }, { first_name: "E" })).status, 200, "* is any revision");
  t.equal((await send("GET", `/admin/customers/${id}/history?limit=0`)).json.count, 4, "exactly the three accepted updates were written");

  const invalid = await send("POST", `/admin/customers/${id}`, { "if-match": etag }, { metadata: { ["k".repeat(300)]: 1 } });
  t.same([invalid.status, invalid.json.type], [400, "invalid_data"], "a change invalid at any revision is refused as invalid, not as stale");
  const unknown = await send("POST", "/admin/customers/cus_unknown", { "if-match": '"0-x"' }, { first_name: "X" });
  t.same([unknown.status, unknown.json.type], [404, "not_found"], "an unknown customer is not found, as without If-Match");
});

t.test("two writes on the same revision: one wins, the other answers 412", async (t) => {
  const { id, etag } = await newCustomer();
  const answers = await Promise.all(
    ["One", "Two", "Three", "Four"].map((name) => send("POST", `/admin/customers/${id}`, { "if-match": etag }, { first_name: name })),
  );
  t.same(answers.map((res) => res.status).sort(), [200, 412, 412, 412]);
  const winner = answers.find((res) => res.status === 200)!.json.customer.first_name;
  t.equal((await send("GET", `/admin/customers/${id}`)).json.customer.first_name, winner);
});

t.test("DELETE with If-Match: stale refused, current deletes", async (t) => {
  const { id, etag } = await newCustomer();
  await send("POST", `/admin/customers/${id}`, {}, { last_name: "Moved on" });
  t.equal((await send("DELETE", `/admin/customers/${id}`, { "if-match": etag })).status, 412);
  t.equal((await send("GET", `/admin/customers/${id}`)).status, 200, "still there");
  const current = (await send("GET", `/admin/customers/${id}`)).headers.get("etag")!;
  t.equal((await send("DELETE", `/admin/customers/${id}`, { "if-match": current })).status, 200);
  t.equal((await send("GET", `/admin/customers/${id}`)).status, 404);
});

t.test("an address has its customer's revision: its tag guards writes to it", async (t) => {
  const { id } = await newCustomer();
  const added = await send("POST", `/admin/customers/${id}/addresses?fields=id,*addresses`, {}, { city: "Akron" });
  const addressId = added.json.customer.addresses[0].id;
  const got = await send("GET", `/admin/customers/${id}/addresses/${addressId}`);
  t.equal(revisionOf(got.headers.get("etag")), 1);
  t.equal((await send("GET", `/admin/customers/${id}/addresses/${addressId}`, { "if-none-match": got.headers.get("etag")! })).status, 304);
  const moved = await send("POST", `/admin/customers/${id}/addresses/${addressId}`, { "if-match": got.headers.get("etag")! }, { city: "Ohio City" });
  t.equal(moved.status, 200);
  t.equal((await send("POST", `/admin/customers/${id}/addresses/${addressId}`, { "if-match": got.headers.get("etag")! }, { city: "Stale" })).status, 412);
  t.equal((await send("DELETE", `/admin/customers/${id}/addresses/${addressId}`, { "if-match": got.headers.get("etag")! })).status, 412);
  t.equal((await send("POST", `/admin/customers/${id}/addresses`, { "if-match": got.headers.get("etag")! }, { city: "New" })).status, 412, "adding one too");
  t.equal((await send("GET", `/admin/customers/${id}/addresses/${addressId}`)).json.address.city, "Ohio City");
  t.equal((await send("DELETE", `/admin/customers/${id}/addresses/${addressId}`, { "if-match": moved.headers.get("etag")! })).status, 200);
});

t.test("a group: strong tags, If-Match on update and delete; its members change its tag", async (t) => {
  const created = await send("POST", "/admin/customer-groups", {}, { name: `Etag group ${Date.now()}` });
  const groupId = created.json.customer_group.id;
  const etag = created.headers.get("etag")!;
  t.equal(revisionOf(etag), 0);
  const renamed = await send("POST", `/admin/customer-groups/${groupId}`, { "if-match": etag }, { name: `Renamed ${Date.now()}` });
  t.equal(renamed.status, 200);
  t.equal((await send("POST", `/admin/customer-groups/${groupId}`, { "if-match": etag }, { name: "Stale" })).status, 412);
  t.equal((await send("DELETE", `/admin/customer-groups/${groupId}`, { "if-match": etag })).status, 412);

  const read = await send("GET", `/admin/customer-groups/${groupId}`);
  t.equal(revisionOf(read.headers.get("etag")), 1, "a group's GET: a strong tag of its revision");
  const notModified = await send("GET", `/admin/customer-groups/${groupId}`, { "if-none-match": read.headers.get("etag")! });
  t.same([notModified.status, notModified.text], [304, ""], "If-None-Match with its tag: 304, no body");

  const expanded = await send("GET", `/admin/customer-groups/${groupId}?fields=id,*customers`);
  const { id: member } = await newCustomer();
  await send("POST", `/admin/customer-groups/${groupId}/customers`, {}, { add: [member] });
  const withMember = await send("GET", `/admin/customer-groups/${groupId}?fields=id,*customers`, { "if-none-match": expanded.headers.get("etag")! });
  t.equal(withMember.status, 200, "a member joined: the group's stream did not move, its answer did");
  t.equal(revisionOf(withMember.headers.get("etag")), 1);

  t.equal((await send("DELETE", `/admin/customer-groups/${groupId}`, { "if-match": withMember.headers.get("etag")! })).status, 200);
});

t.test("lists have weak tags and answer 304 until they change", async (t) => {
  const first = await send("GET", "/admin/customers?limit=5&order=-created_at");
  const tag = first.headers.get("etag")!;
  t.match(tag, /^W\/"[A-Za-z0-9_-]{16}"$/);
  t.equal((await send("GET", "/admin/customers?limit=5&order=-created_at", { "if-none-match": tag })).status, 304);
  await newCustomer();
  t.equal((await send("GET", "/admin/customers?limit=5&order=-created_at", { "if-none-match": tag })).status, 200, "a new customer changes the page");
  t.match((await send("GET", "/admin/customer-groups")).headers.get("etag"), /^W\//);

  const { id } = await newCustomer();
  const addresses = await send("GET", `/admin/customers/${id}/addresses`);
  const addressesTag = addresses.headers.get("etag")!;
  t.match(addressesTag, /^W\//, "a customer's address list: weak");
  t.equal((await send("GET", `/admin/customers/${id}/addresses`, { "if-none-match": addressesTag })).status, 304);
  await send("POST", `/admin/customers/${id}/addresses`, {}, { city: "Listed" });
  t.equal((await send("GET", `/admin/customers/${id}/addresses`, { "if-none-match": addressesTag })).status, 200, "a new address changes the list");
});

t.test("If-Match where a write is not one entity's is refused, not ignored", async (t) => {
  const create = await send("POST", "/admin/customers", { "if-match": '"0-x"' }, { first_name: "No" });
  t.same([create.status, create.json.type], [400, "invalid_data"]);
  t.match(create.json.message, /If-Match is not supported here/);
  const group = (await send("POST", "/admin/customer-groups", {}, { name: `Batch ${Date.now()}` })).json.customer_group;
  const batch = await send("POST", `/admin/customer-groups/${group.id}/customers`, { "if-match": '"0-x"' }, { add: [] });
  t.equal(batch.status, 400);
});
