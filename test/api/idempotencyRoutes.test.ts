/**
 * Idempotency-Key on every POST and DELETE under /admin, route by route: the same request
 * with the key answers the first answer again (status, body, "Idempotent-Replayed: true")
 * and writes nothing; another request with it answers 422 and writes nothing. The table is
 * checked against the OpenAPI document, so a write route added later without a case here
 * fails this test. Then the key's lifetime: after 24 hours the same key is free again (the
 * service's clock moved forward, as nothing else can move a day in a test).
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import { type TestResponse, type TestService, startTestService } from "../support/service.js";

let now = Date.now();
let api: TestService;
t.before(async () => {
  api = await startTestService({ clock: () => new Date(now) });
});
t.teardown(() => api.stop());

const keyed = (method: string, path: string, key: string, body?: unknown) => api.request(method, path, { body, headers: { "idempotency-key": key } });
const ok = async (method: string, path: string, body?: unknown): Promise<TestResponse> => {
  const res = await api.request(method, path, { body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res;
};
const newCustomer = async () => (await ok("POST", "/admin/customers", { first_name: "Keyed" })).json.customer.id as string;
const newGroup = async () => (await ok("POST", "/admin/customer-groups", { name: `keyed-${randomUUID()}` })).json.customer_group.id as string;
/** The customer's addresses' ids after one more is added. */
const addAddress = async (customerId: string) =>
  ((await ok("POST", `/admin/customers/${customerId}/addresses?fields=id,*addresses`, { address_1: "1 Key Street", country_code: "fr" })).json.customer.addresses as Array<{ id: string }>).map(
    ({ id }) => id,
  );
/** What a route's writes would change, read back: equal before and after a replay or a refusal. */
const historyOf = async (path: string) => (await ok("GET", `${path}/history?limit=1`)).json;
const projections = async () => (await ok("GET", "/admin/projections")).json.projections.map(({ rebuild, ...rest }: { rebuild?: unknown }) => rest);

interface RouteCase {
  /** As in the OpenAPI document. */
  method: "POST" | "DELETE";
  route: string;
  /** Makes what the request needs; returns the request, another one for the same route, and what to compare. */
  prepare(): Promise<{ path: string; body?: unknown; otherBody?: unknown; otherPath?: string; written(): Promise<unknown> }>;
}

const cases: RouteCase[] = [
  {
    method: "POST",
    route: "/admin/customers",
    prepare: async () => {
      const email = `keyed-${randomUUID()}@example.com`;
      return {
        path: "/admin/customers",
        body: { email },
        otherBody: { email, first_name: "Other" },
        written: async () => (await ok("GET", `/admin/customers?email=${encodeURIComponent(email)}`)).json.count,
      };
    },
  },
  {
    method: "POST",
    route: "/admin/customers/{id}",
    prepare: async () => {
      const id = await newCustomer();
      return { path: `/admin/customers/${id}`, body: { last_name: "First" }, otherBody: { last_name: "Second" }, written: () => historyOf(`/admin/customers/${id}`) };
    },
  },
  {
    method: "DELETE",
    route: "/admin/customers/{id}",
    prepare: async () => {
      const [id, other] = [await newCustomer(), await newCustomer()];
      return { path: `/admin/customers/${id}`, otherPath: `/admin/customers/${other}`, written: async () => [await historyOf(`/admin/customers/${id}`), await historyOf(`/admin/customers/${other}`)] };
    },
  },
  {
    method: "POST",
    route: "/admin/customers/{id}/erase",
    prepare: async () => {
      const [id, other] = [await newCustomer(), await newCustomer()];
      return {
        path: `/admin/customers/${id}/erase`,
        otherPath: `/admin/customers/${other}/erase`,
        written: async () => [await historyOf(`/admin/customers/${id}`), await historyOf(`/admin/customers/${other}`)],
      };
    },
  },
  {
    method: "POST",
    route: "/admin/customers/{id}/customer-groups",
    prepare: async () => {
      const [id, group, otherGroup] = [await newCustomer(), await newGroup(), await newGroup()];
      return { path: `/admin/customers/${id}/customer-groups`, body: { add: [group] }, otherBody: { add: [otherGroup] }, written: () => historyOf(`/admin/customers/${id}`) };
    },
  },
  {
    method: "POST",
    route: "/admin/customers/{id}/addresses",
    prepare: async () => {
      const id = await newCustomer();
      return {
        path: `/admin/customers/${id}/addresses`,
        body: { address_1: "1 First Street", country_code: "fr" },
        otherBody: { address_1: "2 Other Street", country_code: "fr" },
        written: () => historyOf(`/admin/customers/${id}`),
      };
    },
  },
  {
    method: "POST",
    route: "/admin/customers/{id}/addresses/{address_id}",
    prepare: async () => {
      const id = await newCustomer();
      const [address] = await addAddress(id);
      return { path: `/admin/customers/${id}/addresses/${address}`, body: { city: "Lyon" }, otherBody: { city: "Nantes" }, written: () => historyOf(`/admin/customers/${id}`) };
    },
  },
  {
    method: "DELETE",
    route: "/admin/customers/{id}/addresses/{address_id}",
    prepare: async () => {
      const id = await newCustomer();
      await addAddress(id);
      const [address, other] = await addAddress(id);
      return { path: `/admin/customers/${id}/addresses/${address}`, otherPath: `/admin/customers/${id}/addresses/${other}`, written: () => historyOf(`/admin/customers/${id}`) };
    },
  },
  {
    method: "POST",
    route: "/admin/customer-groups",
    prepare: async () => {
      const name = `keyed-${randomUUID()}`;
      return {
        path: "/admin/customer-groups",
        body: { name },
        otherBody: { name: `${name}-other` },
        written: async () => (await ok("GET", `/admin/customer-groups?q=${encodeURIComponent(name)}`)).json.count,
      };
    },
  },
  {
    method: "POST",
    route: "/admin/customer-groups/{id}",
    prepare: async () => {
      const id = await newGroup();
      return { path: `/admin/customer-groups/${id}`, body: { metadata: { tier: "gold" } }, otherBody: { metadata: { tier: "silver" } }, written: () => historyOf(`/admin/customer-groups/${id}`) };
    },
  },
  {
    method: "DELETE",
    route: "/admin/customer-groups/{id}",
    prepare: async () => {
      const [id, other] = [await newGroup(), await newGroup()];
      return {
        path: `/admin/customer-groups/${id}`,
        otherPath: `/admin/customer-groups/${other}`,
        written: async () => [await historyOf(`/admin/customer-groups/${id}`), await historyOf(`/admin/customer-groups/${other}`)],
      };
    },
  },
  {
    method: "POST",
    route: "/admin/customer-groups/{id}/customers",
    prepare: async () => {
      const [group, customer, otherCustomer] = [await newGroup(), await newCustomer(), await newCustomer()];
      return {
        path: `/admin/customer-groups/${group}/customers`,
        body: { add: [customer] },
        otherBody: { add: [otherCustomer] },
        written: async () => [await historyOf(`/admin/customers/${customer}`), await historyOf(`/admin/customers/${otherCustomer}`)],
      };
    },
  },
  {
    method: "POST",
    route: "/admin/projections/rebuild",
    prepare: async () => ({ path: "/admin/projections/rebuild", otherBody: { again: true }, written: projections }),
  },
];

type OpenApiDocument = { paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>> };
let document: OpenApiDocument;

t.test("every POST and DELETE under /admin has a case here", async (t) => {
  document = (await api.request("GET", "/openapi.json", { token: false })).json as OpenApiDocument;
  const writes = Object.entries(document.paths)
    .filter(([path]) => path.startsWith("/admin"))
    .flatMap(([path, operations]) => Object.keys(operations).filter((method) => method === "post" || method === "delete").map((method) => `${method.toUpperCase()} ${path}`));
  t.ok(writes.length >= 13, `${writes.length} write routes documented`);
  t.same(writes.sort(), cases.map(({ method, route }) => `${method} ${route}`).sort());
});

for (const routeCase of cases) {
  t.test(`${routeCase.method} ${routeCase.route}: replayed with its key, another request with it refused`, async (t) => {
    const request = await routeCase.prepare();
    const key = randomUUID();
    const first = await keyed(routeCase.method, request.path, key, request.body);
    t.ok(first.status >= 200 && first.status < 300, `the first request is answered (${first.status} ${first.text.slice(0, 200)})`);
    t.equal(first.headers.get("idempotent-replayed"), null);
    const documented = document.paths[routeCase.route]![routeCase.method.toLowerCase()]!.responses[String(first.status)]?.headers ?? {};
    t.equal(first.headers.get("etag") !== null, "ETag" in documented, `an ETag as the OpenAPI document says (${first.headers.get("etag")})`);
    t.ok("Idempotent-Replayed" in documented, "Idempotent-Replayed is documented");
    const afterFirst = await request.written();

    const again = await keyed(routeCase.method, request.path, key, request.body);
    t.same([again.status, again.headers.get("idempotent-replayed")], [first.status, "true"], "the same request again: replayed");
    t.equal(again.text, first.text, "the first answer's body");
    t.same(await request.written(), afterFirst, "a replay writes nothing");

    const other = await keyed(routeCase.method, request.otherPath ?? request.path, key, request.otherBody);
    t.same([other.status, other.json?.type], [422, "invalid_data"], `another request with the key: 422 (${other.text.slice(0, 200)})`);
    t.match(other.json?.message, /Idempotency-Key/);
    t.same(await request.written(), afterFirst, "a refused request writes nothing");
  });
}

t.test("a key is kept 24 hours: the same request answers the same within them, runs again after", async (t) => {
  const key = randomUUID();
  const body = { first_name: "Daily" };
  const first = await keyed("POST", "/admin/customers", key, body);
  t.equal(first.status, 200);
  now += 23 * 60 * 60 * 1000;
  const withinTheDay = await keyed("POST", "/admin/customers", key, body);
  t.same([withinTheDay.headers.get("idempotent-replayed"), withinTheDay.json.customer.id], ["true", first.json.customer.id], "23 hours later: replayed");
  const otherWithinTheDay = await keyed("POST", "/admin/customers", key, { first_name: "Other" });
  t.equal(otherWithinTheDay.status, 422, "23 hours later another request with it is still refused");
  now += 2 * 60 * 60 * 1000;
  const nextDay = await keyed("POST", "/admin/customers", key, body);
  t.equal(nextDay.status, 200);
  t.equal(nextDay.headers.get("idempotent-replayed"), null, "25 hours later: not a replay");
  t.not(nextDay.json.customer.id, first.json.customer.id, "the request ran again: a new customer");
  const replayOfTheNewUse = await keyed("POST", "/admin/customers", key, body);
  t.same([replayOfTheNewUse.headers.get("idempotent-replayed"), replayOfTheNewUse.json.customer.id], ["true", nextDay.json.customer.id], "the new use is kept in turn");
});
