/**
 * The address routes against Medusa 2.21.2's answers, on the embedded defaults.
 */
import t from "tap";
import { type TestService, startTestService } from "../support/service.js";

let api: TestService;
t.before(async () => {
  api = await startTestService();
});
t.teardown(() => api.stop());

const DEFAULT_ADDRESS_KEYS = [
  "id",
  "address_name",
  "company",
  "customer_id",
  "first_name",
  "last_name",
  "address_1",
  "address_2",
  "city",
  "province",
  "postal_code",
  "country_code",
  "phone",
  "metadata",
  "created_at",
  "updated_at",
];

async function newCustomer(): Promise<string> {
  return (await api.request("POST", "/admin/customers", { body: { first_name: "Owner" } })).json.customer.id;
}

t.test("adding answers with the parent customer; *addresses shows every column", async (t) => {
  const id = await newCustomer();
  const res = await api.request("POST", `/admin/customers/${id}/addresses?fields=id,*addresses`, {
    body: { first_name: "Lebron", address_1: "Street 1", city: "Akron", country_code: "us", metadata: { "k.v": 1 }, additional_data: { x: 1 } },
  });
  t.equal(res.status, 200);
  const [address] = res.json.customer.addresses;
  t.same(Object.keys(address), [
    "id",
    "address_name",
    "is_default_shipping",
    "is_default_billing",
    "company",
    "first_name",
    "last_name",
    "address_1",
    "address_2",
    "city",
    "country_code",
    "province",
    "postal_code",
    "phone",
    "metadata",
    "customer_id",
    "created_at",
    "updated_at",
    "deleted_at",
  ]);
  t.match(address.id, /^cuaddr_[0-9A-HJKMNP-TV-Z]{26}$/);
  t.match(address, { first_name: "Lebron", country_code: "us", is_default_shipping: false, metadata: { "k.v": 1 }, customer_id: id, deleted_at: null });
  const plain = await api.request("POST", `/admin/customers/${id}/addresses`, { body: { country_code: "US" } });
  t.notOk("addresses" in plain.json.customer, "without fields the answer is the customer's default fields");
  t.equal((await api.request("GET", `/admin/customers/${id}/addresses`)).json.addresses[1].country_code, "US", "country_code is stored as sent");
});

t.test("one default shipping and one default billing address per customer", async (t) => {
  const id = await newCustomer();
  const add = async (body: object) => (await api.request("POST", `/admin/customers/${id}/addresses?fields=*addresses`, { body })).json.customer.addresses;
  await add({ address_1: "A", is_default_shipping: true, is_default_billing: true });
  const afterB = await add({ address_1: "B", is_default_shipping: true });
  t.same(afterB.map((a: any) => [a.address_1, a.is_default_shipping, a.is_default_billing]), [
    ["A", false, true],
    ["B", true, false],
  ]);
  const first = afterB[0].id;
  const updated = await api.request("POST", `/admin/customers/${id}/addresses/${first}?fields=*addresses`, { body: { is_default_shipping: true } });
  t.same(updated.json.customer.addresses.map((a: any) => [a.address_1, a.is_default_shipping]), [
    ["A", true],
    ["B", false],
  ]);
});

t.test("listing: default fields, q, filters, order, pages", async (t) => {
  const id = await newCustomer();
  for (const body of [
    { address_1: "Huntingdon 123", city: "London", company: "Acme", country_code: "gb" },
    { address_1: "Hawkins 12", city: "Hill", company: "Other", country_code: "us", phone: "12" },
    { address_1: "Main 5", city: "Paris", company: "Acme", country_code: "fr" },
  ]) {
    await api.request("POST", `/admin/customers/${id}/addresses`, { body });
  }
  const list = async (query = "") => (await api.request("GET", `/admin/customers/${id}/addresses?${query}`)).json;
  const all = await list();
  t.same([all.count, all.offset, all.limit], [3, 0, 50]);
  t.same(Object.keys(all.addresses[0]), DEFAULT_ADDRESS_KEYS);
  t.same((await list("q=12")).addresses.map((a: any) => a.address_1), ["Huntingdon 123", "Hawkins 12"], "q over the searchable columns");
  t.same((await list("q=gb")).count, 0, "country_code is not searched");
  t.same((await list("company=Acme")).count, 2);
  t.same((await list("city[]=Paris,London&order=-city")).addresses.map((a: any) => a.city), ["Paris", "London"]);
  t.same((await list("order=phone")).addresses.map((a: any) => a.city), ["Hill", "London", "Paris"], "without a phone: last ascending");
  t.same((await list("order=-phone")).addresses.map((a: any) => a.city), ["London", "Paris", "Hill"], "first descending");
  t.same((await list("limit=1&offset=2")).addresses.map((a: any) => a.city), ["Paris"]);
  t.same((await list("fields=city")).addresses[0], { city: "London", id: all.addresses[0].id });
  t.same((await list("phone=12")).message, "Invalid request: Unrecognized fields: 'phone'");
  const unknown = await api.request("GET", "/admin/customers/cus_nope/addresses");
  t.same([unknown.status, unknown.json], [200, { addresses: [], count: 0, offset: 0, limit: 50 }]);
});

t.test("retrieve, update and delete, with Medusa's quiet answers", async (t) => {
  const id = await newCustomer();
  const created = await api.request("POST", `/admin/customers/${id}/addresses?fields=*addresses`, { body: { city: "Akron", metadata: { a: 1, b: 2 } } });
  const addressId = created.json.customer.addresses[0].id;
  const base = `/admin/customers/${id}/addresses`;

  const retrieved = await api.request("GET", `${base}/${addressId}`);
  t.same(Object.keys(retrieved.json.address), DEFAULT_ADDRESS_KEYS);
  t.same((await api.request("GET", `${base}/${addressId}?fields=id,is_default_billing`)).json, { address: { id: addressId, is_default_billing: false } });
  t.same((await api.request("GET", `${base}/cuaddr_nope`)).json, {}, "an unknown address is 200 {}");
  t.same((await api.request("GET", `/admin/customers/cus_other/addresses/${addressId}`)).json, {}, "so is another customer's");

  const updated = await api.request("POST", `${base}/${addressId}?fields=*addresses`, { body: { city: "Cleveland", metadata: { a: "" } } });
  t.match(updated.json.customer.addresses[0], { city: "Cleveland", metadata: { b: 2 } });
  t.same((await api.request("POST", `${base}/cuaddr_nope`, { body: { city: "X" } })).status, 200, "updating an unknown address changes nothing");
  t.same((await api.request("POST", `/admin/customers/cus_nope/addresses/${addressId}`, { body: {} })).json, {});
  const missingOwner = await api.request("POST", "/admin/customers/cus_nope/addresses", { body: {} });
  t.same([missingOwner.status, missingOwner.json], [
    404,
    { type: "not_found", message: "You tried to set relationship customer_id: cus_nope, but such entity does not exist" },
  ]);
  const invalid = await api.request("POST", base, { body: { customer_id: "x", is_default_billing: "yes" } });
  t.same([invalid.status, invalid.json.message], [
    400,
    "Invalid request: Expected type: 'boolean' for field 'is_default_billing', got: 'yes'; Unrecognized fields: 'customer_id'",
  ]);
  t.same((await api.request("POST", base, { body: { is_default_shipping: null } })).status, 400, "the default flags are not nullable");

  const removed = await api.request("DELETE", `${base}/${addressId}?fields=id,*addresses`);
  t.same(removed.json, { id: addressId, object: "customer_address", deleted: true, parent: { id, addresses: [] } });
  t.same((await api.request("DELETE", `/admin/customers/cus_nope/addresses/${addressId}`)).json, { id: addressId, object: "customer_address", deleted: true });
  t.equal((await api.request("DELETE", `${base}/${addressId}?limit=1`)).status, 400, "only fields is allowed on this DELETE");
});
