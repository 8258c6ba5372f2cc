/**
 * The customer-group routes and membership from both sides, against Medusa 2.21.2's
 * answers, on the embedded defaults: CRUD with unique names, the list's filters, `fields`
 * relations both ways, the groups filter on customers, and the 404 messages.
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import { ADMIN_ID, type TestService, startTestService } from "../support/service.js";

let api: TestService;
t.before(async () => {
  api = await startTestService();
});
t.teardown(() => api.stop());

const unique = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`;
const createGroup = async (body: Record<string, unknown>, query = "") => {
  const res = await api.request("POST", `/admin/customer-groups${query}`, { body });
  if (res.status !== 200) throw new Error(`create group: ${res.status} ${res.text}`);
  return res.json.customer_group;
};
const createCustomer = async (body: Record<string, unknown> = {}) => (await api.request("POST", "/admin/customers", { body })).json.customer;

const GROUP_KEYS = ["id", "name", "created_by", "created_at", "updated_at", "deleted_at", "metadata"];

t.test("create, retrieve, update and delete a group", async (t) => {
  const name = unique("VIP");
  const group = await createGroup({ name, metadata: { a: "1" } });
  t.same(Object.keys(group), GROUP_KEYS, "Medusa's default fields, in its order");
  t.match(group, { id: /^cusgroup_[0-9A-HJKMNP-TV-Z]{26}$/, name, created_by: ADMIN_ID, deleted_at: null, metadata: { a: "1" } });
  t.equal(group.created_at, group.updated_at);

  const fetched = await api.request("GET", `/admin/customer-groups/${group.id}`);
  t.same(fetched.json, { customer_group: group });
  t.same((await api.request("GET", `/admin/customer-groups/${group.id}?fields=name`)).json, { customer_group: { name, id: group.id } });

  const renamed = unique("Gold");
  const updated = await api.request("POST", `/admin/customer-groups/${group.id}`, { body: { name: renamed, metadata: { a: null, b: "2" } } });
  t.equal(updated.status, 200);
  t.match(updated.json.customer_group, { id: group.id, name: renamed, metadata: { a: null, b: "2" } });
  t.ok(updated.json.customer_group.updated_at >= group.updated_at);
  const merged = await api.request("POST", `/admin/customer-groups/${group.id}`, { body: { metadata: { b: "" } } });
  t.same(merged.json.customer_group.metadata, { a: null }, '"" deletes a key, as for customers');
  t.same((await api.request("POST", `/admin/customer-groups/${group.id}`, { body: {} })).json.customer_group.name, renamed, "an empty update changes nothing");

  const deleted = await api.request("DELETE", `/admin/customer-groups/${group.id}?fields=ignored`);
  t.same([deleted.status, deleted.json], [200, { id: group.id, object: "customer_group", deleted: true }]);
  const gone = await api.request("GET", `/admin/customer-groups/${group.id}`);
  t.same([gone.status, gone.json], [404, { type: "not_found", message: `Customer group with id: ${group.id} not found` }]);
  t.same((await api.request("DELETE", `/admin/customer-groups/${group.id}`)).status, 200, "deleting again is still 200");
  t.same((await api.request("DELETE", "/admin/customer-groups/cusgroup_nope")).json, { id: "cusgroup_nope", object: "customer_group", deleted: true });
  const updateGone = await api.request("POST", `/admin/customer-groups/${group.id}`, { body: { name: "x" } });
  t.same([updateGone.status, updateGone.json], [404, { type: "not_found", message: `Customer group with id "${group.id}" not found` }]);
});

t.test("names are unique among live groups, case-sensitive, and freed by rename and delete", async (t) => {
  const name = unique("Wholesale");
  const first = await createGroup({ name });
  const clash = await api.request("POST", "/admin/customer-groups", { body: { name } });
  t.same([clash.status, clash.json], [400, { type: "invalid_data", message: `Customer group with name: ${name}, already exists.` }]);
  t.ok(await createGroup({ name: name.toLowerCase() }), "another case is another name");

  const other = await createGroup({ name: unique("Retail") });
  const renameClash = await api.request("POST", `/admin/customer-groups/${other.id}`, { body: { name } });
  t.same([renameClash.status, renameClash.json.message], [400, `Customer group with name: ${name}, already exists.`]);
  t.equal((await api.request("GET", `/admin/customer-groups/${other.id}`)).json.customer_group.name, other.name, "a refused rename changes nothing");

  const newName = unique("Renamed");
  await api.request("POST", `/admin/customer-groups/${first.id}`, { body: { name: newName } });
  const reused = await createGroup({ name });
  t.not(reused.id, first.id, "a rename frees the old name");
  await api.request("DELETE", `/admin/customer-groups/${reused.id}`);
  t.ok(await createGroup({ name }), "a delete frees the name");

  const racers = await Promise.all(Array.from({ length: 16 }, () => api.request("POST", "/admin/customer-groups", { body: { name: `${name} race` } })));
  t.same(
    racers.map((res) => res.status).sort(),
    [200, ...Array(15).fill(400)],
    "16 concurrent creates of one name: exactly one wins",
  );
});

t.test("bad input gets Medusa's 400 and changes nothing", async (t) => {
  const cases: Array<[string, string, unknown, string]> = [
    ["POST", "/admin/customer-groups", {}, "Invalid request: Field 'name' is required"],
    ["POST", "/admin/customer-groups", { name: 5 }, "Invalid request: Expected type: 'string' for field 'name', got: '5'"],
    ["POST", "/admin/customer-groups", { name: "x", extra: 1 }, "Invalid request: Unrecognized fields: 'extra'"],
    ["POST", "/admin/customer-groups", { name: "x", metadata: "m" }, "Invalid request: Expected type: 'record' for field 'metadata', got: 'm'"],
    ["POST", "/admin/customer-groups/cusgroup_x", { name: null }, "Invalid request: Expected type: 'string' for field 'name', got: 'null'"],
    ["POST", "/admin/customer-groups/cusgroup_x/customers", { add: "cus_1" }, "Invalid request: Expected type: 'array' for field 'add', got: 'cus_1'"],
    ["POST", "/admin/customers/cus_x/customer-groups", { add: [], other: 1 }, "Invalid request: Unrecognized fields: 'other'"],
  ];
  for (const [method, path, body, message] of cases) {
    const res = await api.request(method, path, { body });
    t.same([res.status, res.json], [400, { type: "invalid_data", message }], `${path} ${JSON.stringify(body)}`);
  }
  const query = await api.request("GET", "/admin/customer-groups?limit=1&unknown=1");
  t.same([query.status, query.json.message], [400, "Invalid request: Unrecognized fields: 'unknown'"]);
  const retrieveQuery = await api.request("GET", "/admin/customer-groups/cusgroup_x?limit=1");
  t.same([retrieveQuery.status, retrieveQuery.json.message], [400, "Invalid request: Unrecognized fields: 'limit'"]);
  const order = await api.request("GET", "/admin/customer-groups?order=nope");
  t.same([order.status, order.json.message], [400, "Order field nope is not valid"]);
  t.equal((await api.request("POST", "/admin/customer-groups", { body: { name: "x" }, token: false })).status, 401);
});

t.test("membership from the customer's side, and groups on customers", async (t) => {
  const vip = await createGroup({ name: unique("VIP") });
  const b2b = await createGroup({ name: unique("B2B") });
  const customer = await createCustomer({ email: `${randomUUID()}@example.com` });

  const added = await api.request("POST", `/admin/customers/${customer.id}/customer-groups?fields=id,*groups`, { body: { add: [vip.id, b2b.id, vip.id] } });
  t.equal(added.status, 200);
  t.same(added.json.customer.groups.map((g: { id: string }) => g.id).sort(), [vip.id, b2b.id].sort(), "each group once");
  t.same(Object.keys(added.json.customer.groups[0]), ["id", "name", "metadata", "created_by", "created_at", "updated_at", "deleted_at"]);

  const plain = await api.request("POST", `/admin/customers/${customer.id}/customer-groups`, { body: {} });
  t.same(plain.json.customer, customer, "{} changes nothing; no relation unless asked for");

  const names = await api.request("GET", `/admin/customers/${customer.id}?fields=%2Bgroups.name,-metadata`);
  t.same(names.json.customer.groups.map((g: { name: string }) => g.name).sort(), [vip.name, b2b.name].sort(), "groups.name picks one column");
  t.same(Object.keys(names.json.customer.groups[0]), ["name"]);

  const removed = await api.request("POST", `/admin/customers/${customer.id}/customer-groups?fields=*groups`, { body: { remove: [vip.id, "cusgroup_never"] } });
  t.same(removed.json.customer.groups.map((g: { id: string }) => g.id), [b2b.id]);

  const unknownGroup = await api.request("POST", `/admin/customers/${customer.id}/customer-groups`, { body: { add: ["cusgroup_nope"] } });
  t.same([unknownGroup.status, unknownGroup.json], [
    404,
    { type: "not_found", message: "You tried to set relationship customer_group_id: cusgroup_nope, but such entity does not exist" },
  ]);
  const unknownCustomer = await api.request("POST", "/admin/customers/cus_nope/customer-groups", { body: { add: [vip.id] } });
  t.same([unknownCustomer.status, unknownCustomer.json.message], [404, "You tried to set relationship customer_id: cus_nope, but such entity does not exist"]);
  const removeUnknown = await api.request("POST", "/admin/customers/cus_nope/customer-groups", { body: { remove: [vip.id] } });
  t.same([removeUnknown.status, removeUnknown.json], [200, {}], "nothing to refetch: Medusa's empty body");
});

t.test("membership from the group's side, customers on groups, and filters both ways", async (t) => {
  const tag = `Co${randomUUID().slice(0, 8)}`;
  const group = await createGroup({ name: unique("Members") });
  const [a, b, c] = [await createCustomer({ company_name: tag, first_name: "A" }), await createCustomer({ company_name: tag, first_name: "B" }), await createCustomer({ company_name: tag })];

  const refused = await api.request("POST", `/admin/customer-groups/${group.id}/customers`, { body: { add: [a.id, "cus_nope"] } });
  t.same([refused.status, refused.json.message], [404, "You tried to set relationship customer_id: cus_nope, but such entity does not exist"]);
  t.same((await api.request("GET", `/admin/customers/${a.id}?fields=*groups`)).json.customer.groups, [], "every customer is checked before any is changed");

  const added = await api.request("POST", `/admin/customer-groups/${group.id}/customers?fields=id,*customers`, { body: { add: [a.id, b.id, c.id] } });
  t.equal(added.status, 200);
  t.same(added.json.customer_group.customers.map((x: { id: string }) => x.id), [a.id, b.id, c.id]);
  t.same(Object.keys(added.json.customer_group.customers[0]), [
    "id", "company_name", "first_name", "last_name", "email", "phone", "has_account", "metadata", "created_at", "updated_at", "deleted_at", "created_by",
  ]);
  const removed = await api.request("POST", `/admin/customer-groups/${group.id}/customers`, { body: { remove: [c.id, "cus_nope"] } });
  t.same(Object.keys(removed.json.customer_group), GROUP_KEYS, "the answer is the group with its default fields");

  const ids = (res: { json: { customers: Array<{ id: string }> } }) => res.json.customers.map((x) => x.id);
  const customers = (query: string) => api.request("GET", `/admin/customers?company_name=${tag}&${query}`);
  t.same(ids(await customers(`groups=${group.id}`)), [a.id, b.id]);
  t.same(ids(await customers(`groups[]=${group.id}`)), [a.id, b.id]);
  t.same(ids(await customers(`groups[0]=${group.id}`)), [a.id, b.id]);
  t.same(ids(await customers(`groups[id]=${group.id}`)), [a.id, b.id]);
  t.same(ids(await customers(`groups[name]=${encodeURIComponent(group.name)}`)), [a.id, b.id]);
  t.same(ids(await customers(`$or[0][groups]=${group.id}&$or[1][first_name]=nobody`)), [a.id, b.id], "inside $or too");

  const groups = (query: string) => api.request("GET", `/admin/customer-groups?${query}`);
  const groupIds = (res: { json: { customer_groups: Array<{ id: string }> } }) => res.json.customer_groups.map((x) => x.id);
  t.same(groupIds(await groups(`customers=${a.id}`)), [group.id], "groups filtered by a member");
  t.same(groupIds(await groups(`customers[id]=${b.id}`)), [group.id]);
  t.same(groupIds(await groups(`customers=${c.id}`)), [], "a removed member no longer matches");
  t.same(groupIds(await groups(`customers[company_name]=${tag}`)), [group.id]);
  const withAddress = await api.request("POST", `/admin/customers/${b.id}/addresses?fields=*addresses`, { body: { city: "Akron", is_default_billing: true } });
  const billing = withAddress.json.customer.addresses[0].id;
  t.same(groupIds(await groups(`customers[default_billing_address_id]=${billing}`)), [group.id], "by a member's default billing address");
  t.same(groupIds(await groups(`customers[default_shipping_address_id]=${billing}`)), [], "that address is not the default shipping one");

  const renamed = unique("Renamed");
  await api.request("POST", `/admin/customer-groups/${group.id}`, { body: { name: renamed } });
  t.same((await api.request("GET", `/admin/customers/${a.id}?fields=groups.name`)).json.customer.groups, [{ name: renamed }], "a rename shows on the members at once");

  await api.request("DELETE", `/admin/customer-groups/${group.id}`);
  t.same(ids(await customers(`groups=${group.id}`)), [], "customers in a deleted group no longer match");
  t.same((await api.request("GET", `/admin/customers/${a.id}?fields=*groups`)).json.customer.groups, [], "nor show it");
  const addToDeleted = await api.request("POST", `/admin/customer-groups/${group.id}/customers`, { body: { add: [c.id] } });
  t.same([addToDeleted.status, addToDeleted.json.message], [404, `You tried to set relationship customer_group_id: ${group.id}, but such entity does not exist`]);
  const removeFromUnknown = await api.request("POST", "/admin/customer-groups/cusgroup_nope/customers", { body: { remove: [a.id] } });
  t.same([removeFromUnknown.status, removeFromUnknown.json], [200, {}]);
});

t.test("listing groups: q, filters, order, pagination, count", async (t) => {
  const tag = randomUUID().slice(0, 8);
  const [x, y, z] = [await createGroup({ name: `${tag} Bronze` }), await createGroup({ name: `${tag} alpha` }), await createGroup({ name: `${tag} Copper` })];
  const list = (query: string) => api.request("GET", `/admin/customer-groups?q=${tag}&${query}`);
  const ids = (res: { json: { customer_groups: Array<{ id: string }> } }) => res.json.customer_groups.map((g) => g.id);
  const all = await list("");
  t.same(Object.keys(all.json), ["customer_groups", "count", "offset", "limit"]);
  t.same([ids(all), all.json.count, all.json.offset, all.json.limit], [[x.id, y.id, z.id], 3, 0, 50]);
  t.same(all.json.customer_groups[0], x);
  t.same(ids(await api.request("GET", `/admin/customer-groups?q=${tag.toUpperCase()}%20BRONZE`)), [x.id], "q is case-insensitive");
  t.same(ids(await list(`name=${tag}%20alpha`)), [y.id]);
  t.same(ids(await list(`name=${tag}%20ALPHA`)), [], "name is exact");
  t.same(ids(await list(`id[]=${x.id}&id[]=${z.id}`)), [x.id, z.id]);
  t.same(ids(await list("order=name")), [x.id, z.id, y.id], "by code point: upper case first");
  t.same(ids(await list("order=-created_at")), [z.id, y.id, x.id]);
  const paged = await list("limit=1&offset=1");
  t.same([ids(paged), paged.json.count], [[y.id], 3]);
  t.same(ids(await list(`created_at[$gt]=${x.created_at}`)).includes(x.id), false);
  t.same(ids(await list(`$or[0][name]=${tag}%20Bronze&$or[1][name]=${tag}%20Copper`)), [x.id, z.id]);
  t.same(ids(await list(`created_by=${ADMIN_ID}`)), [x.id, y.id, z.id]);
  t.same((await list("fields=name")).json.customer_groups[0], { name: x.name, id: x.id });
});
