/**
 * The real client, @medusajs/js-sdk 2.21.2, against the running service over HTTP, in its
 * two auth modes. Node's fetch keeps no cookies, so session mode gets a small cookie jar:
 * it wraps the global fetch the SDK calls (the SDK has no fetch option) and keeps the
 * service's cookies the way a browser would for `credentials: "include"`.
 */
import type * as jsSdk from "@medusajs/js-sdk";
import { createRequire } from "node:module";
import t, { type Test } from "tap";
import { createAdminUser } from "../support/auth.js";
import { type TestService, startTestService } from "../support/service.js";

/**
 * The package's ESM build sits in a folder without "type": "module", which the test
 * runner's TypeScript loader cannot import (a require cycle); its CommonJS build is the
 * same client, so that is the one loaded. (TypeScript reads the package the same way.)
 */
const { default: Medusa, FetchError } = createRequire(import.meta.url)("@medusajs/js-sdk") as typeof jsSdk.default;
type Medusa = InstanceType<typeof Medusa>;

let api: TestService;
t.before(async () => {
  api = await startTestService();
  await createAdminUser(api.dataDir, "admin@example.com", "supersecret");
});
t.teardown(() => api.stop());

/** Cookies set by the service, sent back on later requests to it; an expired Set-Cookie deletes. */
function installCookieJar(baseUrl: string): { cookies: Map<string, string>; uninstall(): void } {
  const cookies = new Map<string, string>();
  const original = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(baseUrl)) return original(input, init);
    const headers = new Headers(init?.headers);
    if (cookies.size > 0 && init?.credentials === "include") headers.set("cookie", [...cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await original(input, { ...init, headers });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = setCookie.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const expires = attributes.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith("expires="));
      if (expires && Date.parse(expires.slice(8)) <= Date.now()) cookies.delete(name);
      else cookies.set(name, pair!.slice(eq + 1).trim());
    }
    return response;
  };
  return { cookies, uninstall: () => void (globalThis.fetch = original) };
}

async function customerJourney(t: Test, sdk: Medusa, email: string): Promise<void> {
  const { customer } = await sdk.admin.customer.create({ email, first_name: "Ada", metadata: { tier: "gold" } });
  t.match(customer, { id: /^cus_/, email, first_name: "Ada", metadata: { tier: "gold" }, has_account: false });
  t.match(customer.created_by, /^user_/, "created by the logged-in user");

  const retrieved = await sdk.admin.customer.retrieve(customer.id, { fields: "id,email" });
  t.same(retrieved.customer, { id: customer.id, email });

  const updated = await sdk.admin.customer.update(customer.id, { last_name: "Lovelace", metadata: { vip: true } });
  t.match(updated.customer, { last_name: "Lovelace", metadata: { tier: "gold", vip: true } });

  const list = await sdk.admin.customer.list({ email, limit: 5 });
  t.equal(list.count, 1);
  t.equal(list.customers[0]!.id, customer.id);

  const withAddress = await sdk.admin.customer.createAddress(customer.id, { address_1: "1 Main St", city: "London", country_code: "gb" });
  t.equal(withAddress.customer.id, customer.id, "answered with the customer");
  const addresses = (await sdk.admin.customer.listAddresses(customer.id)).addresses;
  t.equal(addresses.length, 1);
  const address = addresses[0]!;
  t.match(address, { address_1: "1 Main St", city: "London", country_code: "gb" });
  t.match((await sdk.admin.customer.retrieveAddress(customer.id, address.id)).address, { id: address.id, city: "London" });
  await sdk.admin.customer.updateAddress(customer.id, address.id, { city: "Paris" });
  t.equal((await sdk.admin.customer.retrieveAddress(customer.id, address.id)).address.city, "Paris");
  const removed = (await sdk.admin.customer.deleteAddress(customer.id, address.id)) as unknown;
  t.same(removed, { id: address.id, object: "customer_address", deleted: true, parent: (removed as { parent: unknown }).parent });
  t.same((await sdk.admin.customer.listAddresses(customer.id)).addresses, []);

  await groupJourney(t, sdk, customer.id, email);

  const deleted = await sdk.admin.customer.delete(customer.id);
  t.same(deleted, { id: customer.id, object: "customer", deleted: true });

  // The history route has no SDK method; the SDK's own client reaches it with the same auth.
  type History = { history: Array<{ type: string; created_by: string; changes: Array<{ field: string; before: unknown; after: unknown }> }>; count: number };
  const history = await sdk.client.fetch<History>(`/admin/customers/${customer.id}/history`, { query: { limit: 3 } });
  t.same(history.history.map((entry) => entry.type), ["CustomerDeleted", "CustomerRemovedFromGroup", "CustomerAddedToGroup"], "newest first");
  t.ok(history.count > 3);
  const next = await sdk.client.fetch<History>(`/admin/customers/${customer.id}/history`, { query: { limit: 1, revision: { $lt: 2 } } });
  t.same(next.history.map((entry) => entry.type), ["CustomerUpdated"], "the revision cursor as the SDK writes an operator map");
  t.ok(history.history.every((entry) => entry.created_by === customer.created_by), "each change names the logged-in user");
  const oldest = await sdk.client.fetch<History>(`/admin/customers/${customer.id}/history`, { query: { order: "revision", limit: 2 } });
  t.same(oldest.history[1]!.changes, [
    { field: "last_name", before: null, after: "Lovelace" },
    { field: "metadata", before: { tier: "gold" }, after: { tier: "gold", vip: true } },
  ]);

  // Erasure has no SDK method either: the deleted customer is erased through the SDK's client.
  const erased = await sdk.client.fetch<{ id: string; object: string; erased: boolean }>(`/admin/customers/${customer.id}/erase`, { method: "POST" });
  t.same(erased, { id: customer.id, object: "customer", erased: true });
  const afterErasure = await sdk.client.fetch<History>(`/admin/customers/${customer.id}/history`, { query: { limit: 1 } });
  t.same(afterErasure.history.map((entry) => entry.type), ["CustomerErased"], "the erasure ends the history");

  // A rebuild of the read model, started and followed through the SDK's client.
  type Projections = { projections: Array<{ generation: number; rebuild: { state: string; generation: number } | null }> };
  const serving = (await sdk.client.fetch<Projections>("/admin/projections")).projections[0]!.generation;
  const started = await sdk.client.fetch<{ projection: { rebuild: { generation: number } } }>("/admin/projections/rebuild", { method: "POST" });
  t.equal(started.projection.rebuild.generation, serving + 1);
  let state = "building";
  for (const deadline = Date.now() + 30_000; state !== "done" && state !== "failed" && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    state = (await sdk.client.fetch<Projections>("/admin/projections")).projections[0]!.rebuild!.state;
  }
  t.equal(state, "done");
  t.same((await sdk.admin.customer.list({ email, limit: 5 })).customers, [], "the rebuilt read model answers as before: the customer stays deleted");
}

async function groupJourney(t: Test, sdk: Medusa, customerId: string, email: string): Promise<void> {
  const { customer_group: group } = await sdk.admin.customerGroup.create({ name: `VIP ${email}`, metadata: { a: "1" } });
  t.match(group, { id: /^cusgroup_/, name: `VIP ${email}`, metadata: { a: "1" } });
  const other = (await sdk.admin.customerGroup.create({ name: `B2B ${email}` })).customer_group;

  const linked = await sdk.admin.customer.batchCustomerGroups(customerId, { add: [group.id, other.id] });
  t.equal(linked.customer.id, customerId);
  const members = await sdk.admin.customerGroup.batchCustomers(other.id, { remove: [customerId] }, { fields: "id,*customers" } as never);
  t.equal(members.customer_group.id, other.id);

  const withGroups = await sdk.admin.customer.retrieve(customerId, { fields: "id,*groups" });
  t.same(withGroups.customer.groups?.map((g: { id: string }) => g.id), [group.id], "added from the customer's side, removed from the group's");
  const byGroup = await sdk.admin.customer.list({ groups: [group.id], fields: "id" });
  t.same(byGroup.customers.map((c: { id: string }) => c.id), [customerId], "the SDK's groups[0]= filter");
  const expanded = await sdk.admin.customerGroup.retrieve(group.id, { fields: "id,*customers" });
  t.same(expanded.customer_group.customers?.map((c: { id: string }) => c.id), [customerId]);
  const groups = await sdk.admin.customerGroup.list({ customers: customerId } as never);
  t.same(groups.customer_groups.map((g: { id: string }) => g.id), [group.id]);

  const renamed = await sdk.admin.customerGroup.update(group.id, { name: `Gold ${email}` });
  t.equal(renamed.customer_group.name, `Gold ${email}`);
  t.same(await sdk.admin.customerGroup.delete(other.id), { id: other.id, object: "customer_group", deleted: true });
  const clash = await refused(sdk.admin.customerGroup.create({ name: `Gold ${email}` }));
  t.same(clash, { status: 400, message: `Customer group with name: Gold ${email}, already exists.` }, "Medusa's duplicate message reaches the SDK");
}

async function refused(promise: Promise<unknown>): Promise<{ status: number; message: string } | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (!(error instanceof FetchError)) throw error;
    return { status: error.status!, message: error.message };
  }
}

t.test("session mode: login, the customer routes with the cookie, logout", async (t) => {
  const jar = installCookieJar(api.baseUrl);
  t.teardown(jar.uninstall);
  const sdk = new Medusa({ baseUrl: api.baseUrl, auth: { type: "session" } });

  const token = await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
  t.type(token, "string");
  t.ok(jar.cookies.get("connect.sid")?.startsWith("s%3A"), "the service set its session cookie");

  await customerJourney(t, sdk, "session@example.com");

  const before = jar.cookies.get("connect.sid");
  await sdk.auth.refresh();
  t.not(jar.cookies.get("connect.sid"), before, "refresh opened a new session with the new token");
  t.equal((await sdk.admin.customer.list({ limit: 1 })).limit, 1, "and it works");

  const kept = jar.cookies.get("connect.sid")!;
  await sdk.auth.logout();
  t.equal(jar.cookies.has("connect.sid"), false, "logout cleared the cookie");
  t.same(await refused(sdk.admin.customer.list()), { status: 401, message: "Unauthorized" }, "no session, no access");
  jar.cookies.set("connect.sid", kept);
  t.same(await refused(sdk.admin.customer.list()), { status: 401, message: "Unauthorized" }, "the logged-out session is refused");
});

t.test("jwt mode: login keeps the token in memory and sends it as Bearer", async (t) => {
  const sdk = new Medusa({ baseUrl: api.baseUrl, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } });
  t.same(await refused(sdk.admin.customer.list()), { status: 401, message: "Unauthorized" }, "before login");
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });

  await customerJourney(t, sdk, "jwt@example.com");

  const refreshed = await sdk.auth.refresh();
  t.type(refreshed.token, "string");
  t.equal((await sdk.admin.customer.list({ limit: 1 })).limit, 1, "the refreshed token works");
  await sdk.auth.logout();
  t.same(await refused(sdk.admin.customer.list()), { status: 401, message: "Unauthorized" }, "after logout");
});

t.test("the SDK shows Medusa's login failures", async (t) => {
  const sdk = new Medusa({ baseUrl: api.baseUrl, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } });
  t.same(await refused(sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "nope" })), {
    status: 401,
    message: "Invalid email or password",
  });
  t.same(await refused(sdk.auth.login("user", "emailpass", { email: "admin@example.com" })), { status: 401, message: "Password should be a string" });
});

t.test("a conditional update through the SDK: the ETag from its client, If-Match as a header", async (t) => {
  const sdk = new Medusa({ baseUrl: api.baseUrl, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } });
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
  const { customer } = await sdk.admin.customer.create({ first_name: "Ada" });
  const response = await sdk.client.fetch<Response>(`/admin/customers/${customer.id}`, { headers: { accept: "*/*" } });
  const etag = response.headers.get("etag")!;
  t.match(etag, /^"0-/);
  t.equal(((await response.json()) as { customer: { id: string } }).customer.id, customer.id);
  const updated = await sdk.admin.customer.update(customer.id, { first_name: "Augusta" }, {}, { "If-Match": etag });
  t.equal(updated.customer.first_name, "Augusta");
  const stale = await refused(sdk.admin.customer.update(customer.id, { first_name: "Lost" }, {}, { "If-Match": etag }));
  t.equal(stale?.status, 412, "the SDK throws its FetchError with the 412");
  t.match(stale?.message, /Precondition failed/);
  t.equal((await sdk.admin.customer.retrieve(customer.id)).customer.first_name, "Augusta");
});

t.test("a create retried through the SDK with its Idempotency-Key: one customer", async (t) => {
  const sdk = new Medusa({ baseUrl: api.baseUrl, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } });
  await sdk.auth.login("user", "emailpass", { email: "admin@example.com", password: "supersecret" });
  const key = crypto.randomUUID();
  const email = `sdk-retry-${key}@example.com`;
  const first = await sdk.admin.customer.create({ email }, {}, { "Idempotency-Key": key });
  const again = await sdk.admin.customer.create({ email }, {}, { "Idempotency-Key": key });
  t.equal(again.customer.id, first.customer.id);
  t.equal((await sdk.admin.customer.list({ email })).count, 1);
  const other = await refused(sdk.admin.customer.create({ email: `other-${email}` }, {}, { "Idempotency-Key": key }));
  t.equal(other?.status, 422, "another request with the key");
});

t.test("a secret API key through the SDK's apiKey option", async (t) => {
  const { createApiKey } = await import("../support/auth.js");
  const { key, secret } = await createApiKey(api.dataDir, "sdk");
  const sdk = new Medusa({ baseUrl: api.baseUrl, apiKey: secret });
  const { customer } = await sdk.admin.customer.create({ email: "by-key@example.com" });
  t.equal(customer.created_by, key.id);
});
