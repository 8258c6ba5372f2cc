/**
 * The limits on what a customer or group may hold (shared/customers/limits.ts): each is a
 * Medusa-shaped 400 invalid_data naming the field, and a refused change writes nothing.
 */
import { randomUUID } from "node:crypto";
import t, { type Test } from "tap";
import { CUSTOMER_MAX_BYTES, UNIQUE_TEXT_MAX_LENGTH } from "../../shared/customers/limits.js";
import { METADATA_KEY_MAX_LENGTH, METADATA_MAX_BYTES } from "../../shared/metadata.js";
import { type TestService, startTestService } from "../support/service.js";
import { countEvents } from "../support/storeInspection.js";

let api: TestService;
t.before(async () => {
  api = await startTestService();
});
t.teardown(() => api.stop());

const emailOfLength = (length: number) => {
  const domain = `@${randomUUID().slice(0, 8)}.example.com`;
  return `${"a".repeat(length - domain.length)}${domain}`;
};

async function refused(t: Test, method: string, path: string, body: unknown, message: string | RegExp): Promise<void> {
  const before = await countEvents(api.dataDir);
  const res = await api.request(method, path, { body });
  t.equal(res.status, 400, `${method} ${path} is refused`);
  t.equal(res.json.type, "invalid_data");
  if (typeof message === "string") t.equal(res.json.message, message);
  else t.match(res.json.message, message);
  t.equal(await countEvents(api.dataDir), before, "and writes nothing");
}

t.test("email and group name: at most what Medusa's unique indexes take", async (t) => {
  const longest = await api.request("POST", "/admin/customers", { body: { email: emailOfLength(UNIQUE_TEXT_MAX_LENGTH) } });
  t.equal(longest.status, 200, `an email of ${UNIQUE_TEXT_MAX_LENGTH} characters is accepted`);
  await refused(
    t,
    "POST",
    "/admin/customers",
    { email: emailOfLength(UNIQUE_TEXT_MAX_LENGTH + 1) },
    `Invalid request: Value for field 'email' too long, expected at most: '${UNIQUE_TEXT_MAX_LENGTH}' characters`,
  );
  await refused(
    t,
    "POST",
    `/admin/customers/${longest.json.customer.id}`,
    { email: emailOfLength(UNIQUE_TEXT_MAX_LENGTH + 1) },
    `Invalid request: Value for field 'email' too long, expected at most: '${UNIQUE_TEXT_MAX_LENGTH}' characters`,
  );
  const emoji = "😀".repeat(UNIQUE_TEXT_MAX_LENGTH);
  t.equal((await api.request("POST", "/admin/customer-groups", { body: { name: emoji } })).status, 200, "characters, not UTF-16 units, are counted");
  await refused(
    t,
    "POST",
    "/admin/customer-groups",
    { name: `${emoji}x` },
    `Invalid request: Value for field 'name' too long, expected at most: '${UNIQUE_TEXT_MAX_LENGTH}' characters`,
  );
});

t.test("metadata: key length and size, counted after the merge", async (t) => {
  const key = "k".repeat(METADATA_KEY_MAX_LENGTH);
  const customer = (await api.request("POST", "/admin/customers", { body: { metadata: { [key]: 1, nested: { [key]: 2 } } } })).json.customer;
  t.ok(customer.id, `keys of ${METADATA_KEY_MAX_LENGTH} characters are accepted`);
  const keyMessage = `Invalid request: Key in field 'metadata' too long, expected at most: '${METADATA_KEY_MAX_LENGTH}' characters`;
  await refused(t, "POST", "/admin/customers", { metadata: { [`${key}k`]: 1 } }, keyMessage);
  await refused(t, "POST", `/admin/customers/${customer.id}`, { metadata: { deep: { er: { [`${key}k`]: 1 } } } }, keyMessage);

  const half = "x".repeat(METADATA_MAX_BYTES / 2);
  t.equal((await api.request("POST", `/admin/customers/${customer.id}`, { body: { metadata: { a: half } } })).status, 200, "half the limit fits");
  await refused(t, "POST", `/admin/customers/${customer.id}`, { metadata: { b: half } }, /^Invalid request: Value for field 'metadata' too big, expected at most: '65536' bytes as JSON, got: '\d+'$/);
  const stored = (await api.request("GET", `/admin/customers/${customer.id}`)).json.customer;
  t.same(Object.keys(stored.metadata).sort(), [key, "a", "nested"].sort(), "the refused merge left the metadata as it was");
  t.equal((await api.request("POST", `/admin/customers/${customer.id}`, { body: { metadata: { a: "", b: half } } })).status, 200, "removing a key makes room");

  await refused(t, "POST", "/admin/customers", { metadata: { big: "é".repeat(METADATA_MAX_BYTES / 2) } }, /too big, expected at most: '65536' bytes as JSON/);
  await refused(t, "POST", `/admin/customers/${customer.id}/addresses`, { metadata: { big: "x".repeat(METADATA_MAX_BYTES) } }, /too big/);
  const group = (await api.request("POST", "/admin/customer-groups", { body: { name: `limits-${randomUUID()}`, metadata: { a: half } } })).json.customer_group;
  await refused(t, "POST", `/admin/customer-groups/${group.id}`, { metadata: { b: half } }, /too big/);
  await refused(t, "POST", "/admin/customer-groups", { name: `limits-${randomUUID()}`, metadata: { [`${key}k`]: 1 } }, keyMessage);
});

t.test("a customer with its addresses is bounded, so its read-model document always fits", async (t) => {
  const customer = (await api.request("POST", "/admin/customers", { body: { first_name: "Many addresses" } })).json.customer;
  const line = "y".repeat(90_000);
  let added = 0;
  for (;;) {
    const res = await api.request("POST", `/admin/customers/${customer.id}/addresses`, { body: { address_1: line } });
    if (res.status !== 200) {
      t.equal(res.status, 400);
      t.match(res.json, { type: "invalid_data", message: /^Invalid request: A customer, its addresses included, may hold at most '4194304' bytes as JSON; this change would make it '\d+'$/ });
      break;
    }
    added += 1;
    if (added > 100) throw new Error("no limit reached");
  }
  t.equal(added, Math.floor(CUSTOMER_MAX_BYTES / 90_000) , `${added} addresses of 90 KB fit`);
  const stored = (await api.request("GET", `/admin/customers/${customer.id}?fields=*addresses`)).json.customer;
  t.equal(stored.addresses.length, added, "the refused address was not added");
  const first = stored.addresses[0].id;
  await refused(t, "POST", `/admin/customers/${customer.id}/addresses/${stored.addresses[1].id}`, { address_2: line }, /may hold at most/);
  t.equal((await api.request("DELETE", `/admin/customers/${customer.id}/addresses/${first}`)).status, 200);
  t.equal((await api.request("POST", `/admin/customers/${customer.id}/addresses`, { body: { address_1: line } })).status, 200, "removing an address makes room");
});
