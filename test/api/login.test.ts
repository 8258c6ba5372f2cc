/**
 * POST|GET /auth/user/emailpass: Medusa's login, its token and its exact failures.
 */
import jwt from "jsonwebtoken";
import t from "tap";
import { createAdminUser } from "../support/auth.js";
import { TEST_SECRET, type TestService, startTestService } from "../support/service.js";

let api: TestService;
let userId: string;
let authIdentityId: string;
t.before(async () => {
  api = await startTestService({ env: { LOGIN_MAX_FAILURES_PER_CLIENT: "1000" } });
  ({ id: userId, auth_identity_id: authIdentityId } = await createAdminUser(api.dataDir, "admin@example.com", "s3cret-pw"));
});
t.teardown(() => api.stop());

const login = (body: unknown, path = "/auth/user/emailpass") => api.request("POST", path, { body, token: false });

t.test("the right password gets a token with Medusa 2.21's claims", async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const res = await login({ email: "admin@example.com", password: "s3cret-pw" });
  t.equal(res.status, 200);
  t.same(Object.keys(res.json), ["token"]);
  const payload = jwt.verify(res.json.token, TEST_SECRET, { algorithms: ["HS256"] }) as Record<string, unknown>;
  t.same(Object.keys(payload), [
    "actor_id",
    "actor_type",
    "auth_identity_id",
    "auth_provider",
    "mfa_enabled",
    "mfa_challenge_completed_at",
    "app_metadata",
    "user_metadata",
    "iat",
    "exp",
  ]);
  t.match(payload, {
    actor_id: userId,
    actor_type: "user",
    auth_identity_id: authIdentityId,
    auth_provider: "emailpass",
    mfa_enabled: false,
    mfa_challenge_completed_at: null,
    app_metadata: { user_id: userId },
    user_metadata: {},
  });
  t.same(payload.app_metadata, { user_id: userId });
  t.equal((payload.exp as number) - (payload.iat as number), 86_400, "a day, as Medusa's default");
  t.ok((payload.iat as number) >= before);
  t.match(jwt.decode(res.json.token, { complete: true })?.header, { alg: "HS256", typ: "JWT" });

  const created = await api.request("POST", "/admin/customers", { body: { email: "by-login@example.com" }, token: res.json.token });
  t.equal(created.status, 200, "the token works on the admin routes");
  t.equal(created.json.customer.created_by, userId);
});

t.test("a form-urlencoded body logs in too", async (t) => {
  const res = await api.request("POST", "/auth/user/emailpass", {
    rawBody: "email=admin%40example.com&password=s3cret-pw",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    token: false,
  });
  t.equal(res.status, 200);
  t.type(res.json.token, "string");
});

t.test("failures are Medusa's 401s, the password checked first", async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ["empty body", {}, "Password should be a string"],
    ["no password", { email: "admin@example.com" }, "Password should be a string"],
    ["empty password", { email: "admin@example.com", password: "" }, "Password should be a string"],
    ["number password", { email: "admin@example.com", password: 123 }, "Password should be a string"],
    ["nothing right", { email: 5, password: 6 }, "Password should be a string"],
    ["no email", { password: "s3cret-pw" }, "Email should be a string"],
    ["empty email", { email: "", password: "s3cret-pw" }, "Email should be a string"],
    ["number email", { email: 5, password: "s3cret-pw" }, "Email should be a string"],
    ["an array body", [1, 2], "Password should be a string"],
    ["wrong password", { email: "admin@example.com", password: "wrong" }, "Invalid email or password"],
    ["unknown email", { email: "nobody@example.com", password: "s3cret-pw" }, "Invalid email or password"],
    ["email in another case", { email: "Admin@example.com", password: "s3cret-pw" }, "Invalid email or password"],
  ];
  for (const [name, body, message] of cases) {
    const res = await login(body);
    t.same([res.status, res.text], [401, JSON.stringify({ type: "unauthorized", message })], name);
  }
});

t.test("a text body and no body at all are a missing password", async (t) => {
  const text = await api.request("POST", "/auth/user/emailpass", { rawBody: "hello", headers: { "content-type": "text/plain" }, token: false });
  t.same([text.status, text.json], [401, { type: "unauthorized", message: "Password should be a string" }]);
  const get = await api.request("GET", "/auth/user/emailpass", { token: false });
  t.same([get.status, get.json], [401, { type: "unauthorized", message: "Password should be a string" }], "GET runs the same login");
});

t.test("malformed JSON is the body parser's 400", async (t) => {
  const res = await api.request("POST", "/auth/user/emailpass", { rawBody: "{nope", headers: { "content-type": "application/json" }, token: false });
  t.equal(res.status, 400);
  t.equal(res.json.type, "invalid_data");
});

t.test("a provider that is not configured answers as Medusa does", async (t) => {
  const res = await login({ email: "admin@example.com", password: "s3cret-pw" }, "/auth/user/google");
  t.same([res.status, res.json], [401, { type: "unauthorized", message: "Could not find a auth provider with id: google" }]);
});

t.test("another actor type gets a token without an actor, which the admin routes refuse", async (t) => {
  const res = await login({ email: "admin@example.com", password: "s3cret-pw" }, "/auth/customer/emailpass");
  t.equal(res.status, 200);
  const payload = jwt.verify(res.json.token, TEST_SECRET) as Record<string, unknown>;
  t.match(payload, { actor_id: "", actor_type: "customer", auth_identity_id: authIdentityId, app_metadata: { user_id: userId } });
  const admin = await api.request("GET", "/admin/customers", { token: res.json.token });
  t.same([admin.status, admin.text], [401, `{"message":"Unauthorized"}`]);
});

t.test("registration is not served", async (t) => {
  const res = await login({ email: "new@example.com", password: "x" }, "/auth/user/emailpass/register");
  t.equal(res.status, 404);
});
