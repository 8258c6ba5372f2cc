/**
 * Sessions: a token exchanged for express-session's signed `connect.sid` cookie, the cookie
 * accepted on /admin, logout, token refresh, and the cookie's attributes per environment.
 */
import jwt from "jsonwebtoken";
import t from "tap";
import { signAdminToken } from "../../shared/auth/adminToken.js";
import { createAdminUser } from "../support/auth.js";
import { TEST_SECRET, type TestService, makeDataDir, startTestService } from "../support/service.js";

const UNAUTHORIZED = `{"message":"Unauthorized"}`;
const COOKIE = /^connect\.sid=(s%3A[\w-]{32}\.[A-Za-z0-9%]+); Path=\/; Expires=([^;]+); HttpOnly$/;

let api: TestService;
let userId: string;
t.before(async () => {
  api = await startTestService();
  ({ id: userId } = await createAdminUser(api.dataDir, "admin@example.com", "pw"));
});
t.teardown(() => api.stop());

async function loginToken(service = api): Promise<string> {
  const res = await service.request("POST", "/auth/user/emailpass", { body: { email: "admin@example.com", password: "pw" }, token: false });
  return res.json.token;
}

/** Logs in and opens a session; answers the cookie to send back. */
async function session(service = api): Promise<string> {
  const res = await service.request("POST", "/auth/session", { token: await loginToken(service) });
  return COOKIE.exec(res.headers.get("set-cookie") ?? "")![1]!;
}

const withCookie = (cookie: string, method: string, path: string, body?: unknown) =>
  api.request(method, path, { token: false, headers: { cookie: `connect.sid=${cookie}` }, body });

t.test("a token opens a session: the decoded token back, and a signed cookie for 10 hours", async (t) => {
  const token = await loginToken();
  const res = await api.request("POST", "/auth/session", { token });
  t.equal(res.status, 200);
  t.same(res.json, { user: jwt.decode(token) });
  const setCookie = res.headers.get("set-cookie") ?? "";
  const match = COOKIE.exec(setCookie);
  t.ok(match, setCookie);
  const expires = Date.parse(match![2]!);
  t.ok(Math.abs(expires - (Date.now() + 36_000_000)) < 5000, "expires in 10 hours");
});

t.test("the cookie alone authenticates the admin routes", async (t) => {
  const cookie = await session();
  const created = await withCookie(cookie, "POST", "/admin/customers", { email: "by-session@example.com" });
  t.equal(created.status, 200);
  t.equal(created.json.customer.created_by, userId);
  t.equal((await withCookie(cookie, "GET", `/admin/customers/${created.json.customer.id}`)).status, 200);
});

t.test("logout destroys the session and clears the cookie", async (t) => {
  const cookie = await session();
  const res = await withCookie(cookie, "DELETE", "/auth/session");
  t.same([res.status, res.json], [200, { success: true }]);
  t.equal(res.headers.get("set-cookie"), "connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  t.same([(await withCookie(cookie, "GET", "/admin/customers")).text], [UNAUTHORIZED], "the old cookie no longer works");
  t.equal((await withCookie(cookie, "DELETE", "/auth/session")).status, 401, "nor logs out twice");
});

t.test("each route takes only what Medusa lets it take", async (t) => {
  const token = await loginToken();
  const cookie = await session();
  const cases: Array<[string, Awaited<ReturnType<typeof api.request>>]> = [
    ["POST /auth/session without credentials", await api.request("POST", "/auth/session", { token: false })],
    ["POST /auth/session with a cookie only (bearer only)", await withCookie(cookie, "POST", "/auth/session")],
    ["POST /auth/session with a bad token", await api.request("POST", "/auth/session", { token: "nope" })],
    ["DELETE /auth/session with a bearer token only", await api.request("DELETE", "/auth/session", { token })],
    ["POST /auth/token/refresh without credentials", await api.request("POST", "/auth/token/refresh", { token: false })],
  ];
  for (const [name, res] of cases) t.same([res.status, res.text], [401, UNAUTHORIZED], name);
});

t.test("a cookie that was tampered with, or signed with another secret, is refused", async (t) => {
  const cookie = await session();
  const [id, signature] = decodeURIComponent(cookie).slice(2).split(".");
  const other = await startTestService({ env: { COOKIE_SECRET: "another-secret" } });
  t.teardown(() => other.stop());
  const foreign = `s:${id}.${signature}`;
  for (const [name, value] of [
    ["unsigned id", encodeURIComponent(`s:${id}`)],
    ["bare id", id!],
    ["wrong signature", encodeURIComponent(`s:${id}.${"A".repeat(43)}`)],
    ["garbage", "%E0%A4%A"],
  ] as const) {
    t.equal((await withCookie(value, "GET", "/admin/customers")).status, 401, name);
  }
  const res = await other.request("GET", "/admin/customers", { token: false, headers: { cookie: `connect.sid=${encodeURIComponent(foreign)}` } });
  t.equal(res.status, 401, "another secret");
});

t.test("a token without an actor opens a session, which the admin routes refuse", async (t) => {
  const unregistered = jwt.sign({ actor_id: "", actor_type: "user", auth_identity_id: "authid_1", app_metadata: {}, user_metadata: {} }, TEST_SECRET, { expiresIn: "1h" });
  const res = await api.request("POST", "/auth/session", { token: unregistered });
  t.equal(res.status, 200);
  const cookie = COOKIE.exec(res.headers.get("set-cookie") ?? "")![1]!;
  t.same([(await withCookie(cookie, "GET", "/admin/customers")).text], [UNAUTHORIZED]);
  t.equal((await withCookie(cookie, "DELETE", "/auth/session")).status, 200, "but can log out");
});

t.test("refresh issues a new token from the session or the token", async (t) => {
  const token = await loginToken();
  const cookie = await session();
  for (const [name, res] of [
    ["bearer", await api.request("POST", "/auth/token/refresh", { token })],
    ["session", await withCookie(cookie, "POST", "/auth/token/refresh")],
  ] as const) {
    t.equal(res.status, 200, name);
    const payload = jwt.verify(res.json.token, TEST_SECRET) as Record<string, unknown>;
    t.match(payload, { actor_id: userId, actor_type: "user", auth_provider: "emailpass", app_metadata: { user_id: userId } }, name);
  }
  const minted = signAdminToken({ secret: TEST_SECRET, actorId: userId, now: new Date(), expiresInSeconds: 60 });
  const res = await api.request("POST", "/auth/token/refresh", { token: minted });
  t.same([res.status, res.json], [404, { type: "not_found", message: "AuthIdentity with id:  was not found" }], "a development token has no identity behind it");
});

t.test("a session outlives a restart (the store is a file, not memory)", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const first = await startTestService({ dataDir: data.dir });
  await createAdminUser(data.dir, "admin@example.com", "pw");
  const cookie = await session(first);
  await first.stop();
  const second = await startTestService({ dataDir: data.dir });
  t.teardown(() => second.stop());
  const res = await second.request("GET", "/admin/customers", { token: false, headers: { cookie: `connect.sid=${cookie}` } });
  t.equal(res.status, 200);
});

t.test("a session ends after SESSION_TTL_MS", async (t) => {
  const short = await startTestService({ env: { SESSION_TTL_MS: "1000" } });
  t.teardown(() => short.stop());
  await createAdminUser(short.dataDir, "admin@example.com", "pw");
  const cookie = await session(short);
  const get = () => short.request("GET", "/admin/customers", { token: false, headers: { cookie: `connect.sid=${cookie}` } });
  t.equal((await get()).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.equal((await get()).status, 401);
});

t.test("in production the cookie is Secure and SameSite=Lax, and set only over HTTPS", async (t) => {
  // The test speaks as the TLS-terminating proxy on loopback would.
  const prod = await startTestService({ env: { NODE_ENV: "production", ENCRYPTION_KEY: "5a".repeat(32), LOG_LEVEL: "silent", TRUST_PROXY: "loopback" } });
  t.teardown(() => prod.stop());
  await createAdminUser(prod.dataDir, "admin@example.com", "pw");
  const token = await loginToken(prod);

  const plain = await prod.request("POST", "/auth/session", { token });
  t.equal(plain.status, 200);
  t.equal(plain.headers.get("set-cookie"), null, "no cookie over plain HTTP");

  const proxied = await prod.request("POST", "/auth/session", { token, headers: { "x-forwarded-proto": "https" } });
  const setCookie = proxied.headers.get("set-cookie") ?? "";
  t.match(setCookie, /^connect\.sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
  const cookie = setCookie.split(";")[0]!;
  t.equal((await prod.request("GET", "/admin/customers", { token: false, headers: { cookie } })).status, 200);
  const out = await prod.request("DELETE", "/auth/session", { token: false, headers: { cookie, "x-forwarded-proto": "https" } });
  t.equal(out.headers.get("set-cookie"), "connect.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=Lax");
});

t.test("a session is checked before a bearer token, and a bad one falls through to it", async (t) => {
  const cookie = await session();
  const token = await loginToken();
  const both = await api.request("GET", "/admin/customers", { token: "garbage", headers: { cookie: `connect.sid=${cookie}` } });
  t.equal(both.status, 200, "a good session with a bad token");
  const stale = await api.request("GET", "/admin/customers", { token, headers: { cookie: "connect.sid=s%3Aunknown.sig" } });
  t.equal(stale.status, 200, "a bad session with a good token");
});

t.test("a write riding on the session cookie from another site's page is refused; reads, tokens and allowed origins are not", async (t) => {
  const cookie = await session();
  const from = (headers: Record<string, string>) =>
    api.request("POST", "/admin/customers", { token: false, headers: { cookie: `connect.sid=${cookie}`, ...headers }, body: { first_name: "Forged" } });
  const before = (await withCookie(cookie, "GET", "/admin/customers?limit=0")).json.count;
  const refused = { type: "not_allowed", message: "This request came from another site's page. A request authenticated by the session cookie must come from this service's origin or from an origin allowed in ADMIN_CORS or AUTH_CORS." };
  for (const headers of <Array<Record<string, string>>>[
    { origin: "https://evil.example" },
    { origin: "null" },
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site" },
  ]) {
    const res = await from(headers);
    t.same([res.status, res.json], [403, refused], JSON.stringify(headers));
  }
  const logout = await withCookie(cookie, "DELETE", "/auth/session");
  t.equal(logout.status, 200, "a same-origin request (no Origin) still logs out");
  const fresh = await session();
  const crossLogout = await api.request("DELETE", "/auth/session", { token: false, headers: { cookie: `connect.sid=${fresh}`, origin: "https://evil.example" } });
  t.equal(crossLogout.status, 403, "and another site cannot log the admin out");
  t.equal((await withCookie(fresh, "GET", "/admin/customers?limit=0")).json.count, before, "nothing was created");

  const host = new URL(api.baseUrl).host;
  const own = await api.request("POST", "/admin/customers", { token: false, headers: { cookie: `connect.sid=${fresh}`, origin: `http://${host}`, "sec-fetch-site": "same-origin" }, body: {} });
  t.equal(own.status, 200, "the service's own pages write with the cookie");
  const read = await api.request("GET", "/admin/customers?limit=1", { token: false, headers: { cookie: `connect.sid=${fresh}`, origin: "https://evil.example" } });
  t.equal(read.status, 200, "a cross-site read is left to CORS (the page cannot read the answer)");
  const bearer = await api.request("POST", "/admin/customers", { headers: { origin: "https://evil.example" }, body: {} });
  t.equal(bearer.status, 200, "a bearer token is never sent by a browser on its own: not concerned");

  const withCors = await startTestService({ env: { ADMIN_CORS: "https://admin.example,/^https:\\/\\/.+\\.shop\\.example$/" } });
  t.teardown(() => withCors.stop());
  await createAdminUser(withCors.dataDir, "admin@example.com", "pw");
  const corsCookie = await session(withCors);
  for (const origin of ["https://admin.example", "https://eu.shop.example"]) {
    const res = await withCors.request("POST", "/admin/customers", { token: false, headers: { cookie: `connect.sid=${corsCookie}`, origin, "sec-fetch-site": "cross-site" }, body: {} });
    t.equal(res.status, 200, `${origin} is allowed by ADMIN_CORS`);
  }
});
