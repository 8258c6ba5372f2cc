/**
 * Admin authentication: every failure is Medusa's bare 401 {"message":"Unauthorized"}.
 */
import jwt from "jsonwebtoken";
import t from "tap";
import { signAdminToken } from "../../shared/auth/adminToken.js";
import { TEST_SECRET, type TestService, startTestService } from "../support/service.js";

let api: TestService;
t.before(async () => {
  api = await startTestService();
});
t.teardown(() => api.stop());

const UNAUTHORIZED = `{"message":"Unauthorized"}`;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

/** A payload exactly as Medusa 2.21.2 issues it (decoded from a live token). */
const medusaPayload = {
  actor_id: "user_01M8DDM5GBY0MM588WFXYVNJQ6",
  actor_type: "user",
  auth_identity_id: "authid_01M8DDM5KTD6MT8F5XBCMX88CF",
  auth_provider: "emailpass",
  mfa_enabled: false,
  mfa_challenge_completed_at: null,
  app_metadata: { user_id: "user_01M8DDM5GBY0MM588WFXYVNJQ6" },
  user_metadata: {},
};

async function create(authorization: string | undefined) {
  return api.request("POST", "/admin/customers", {
    body: {},
    token: false,
    headers: authorization === undefined ? {} : { authorization },
  });
}

t.test("a token issued the way Medusa issues it (jsonwebtoken, HS256, 1d) works", async (t) => {
  const token = jwt.sign(medusaPayload, TEST_SECRET, { expiresIn: "1d" });
  const res = await create(`Bearer ${token}`);
  t.equal(res.status, 200);
  t.equal(res.json.customer.created_by, medusaPayload.actor_id, "created_by is the token's actor");
  t.equal((await create(`bearer ${token}`)).status, 200, "the scheme is case-insensitive");
});

t.test("the token minted by npm run token works", async (t) => {
  const token = signAdminToken({ secret: TEST_SECRET, actorId: "user_cli", now: new Date(), expiresInSeconds: 60 });
  t.equal((await create(`Bearer ${token}`)).status, 200);
});

t.test("every other credential is refused with the same 401", async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ["no header", undefined],
    ["empty header", ""],
    ["garbage", "garbage"],
    ["bearer without token", "Bearer"],
    ["not a JWT", "Bearer abc"],
    ["basic", "Basic abc"],
    ["wrong secret", `Bearer ${jwt.sign(medusaPayload, "another-secret", { expiresIn: "1d" })}`],
    ["expired", `Bearer ${jwt.sign({ ...medusaPayload, iat: now() - 7200, exp: now() - 3600 }, TEST_SECRET)}`],
    ["not yet valid", `Bearer ${jwt.sign(medusaPayload, TEST_SECRET, { expiresIn: "1d", notBefore: 3600 })}`],
    ["alg none", `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64({ ...medusaPayload, exp: now() + 60 })}.`],
    ["another algorithm", `Bearer ${jwt.sign(medusaPayload, TEST_SECRET, { algorithm: "HS512", expiresIn: "1d" })}`],
    ["customer actor", `Bearer ${jwt.sign({ ...medusaPayload, actor_type: "customer" }, TEST_SECRET, { expiresIn: "1d" })}`],
    ["no actor type", `Bearer ${jwt.sign({ actor_id: "user_1" }, TEST_SECRET, { expiresIn: "1d" })}`],
    ["registration token (empty actor id)", `Bearer ${jwt.sign({ ...medusaPayload, actor_id: "" }, TEST_SECRET, { expiresIn: "1d" })}`],
    ["no expiry", `Bearer ${jwt.sign(medusaPayload, TEST_SECRET)}`],
    ["an actor id that is not an id", `Bearer ${jwt.sign({ ...medusaPayload, actor_id: "<script>alert(1)</script>" }, TEST_SECRET, { expiresIn: "1d" })}`],
    ["an actor id too long", `Bearer ${jwt.sign({ ...medusaPayload, actor_id: `user_${"A".repeat(200)}` }, TEST_SECRET, { expiresIn: "1d" })}`],
    ["tampered payload", (() => {
      const [h, , s] = jwt.sign(medusaPayload, TEST_SECRET, { expiresIn: "1d" }).split(".");
      return `Bearer ${h}.${b64({ ...medusaPayload, actor_id: "user_evil", exp: now() + 60 })}.${s}`;
    })()],
  ];
  for (const [name, header] of cases) {
    const res = await create(header);
    t.same([res.status, res.text], [401, UNAUTHORIZED], name);
  }
});

t.test("a secret API key sent as a Bearer token gets Medusa's explanation", async (t) => {
  const res = await create("Bearer sk_0123456789abcdef");
  t.equal(res.status, 401);
  t.same(res.json, {
    message:
      "A secret API key was passed as a Bearer token. Secret API keys must be sent using HTTP Basic authentication instead (Authorization: Basic <secret-api-key>).",
  });
});

t.test("retrieve needs the same authentication", async (t) => {
  const res = await api.request("GET", "/admin/customers/cus_x", { token: false });
  t.same([res.status, res.text], [401, UNAUTHORIZED]);
});

t.test("a token that worked stops working once it expires", async (t) => {
  const exp = now() + 2;
  const token = jwt.sign({ ...medusaPayload, exp }, TEST_SECRET);
  t.equal((await create(`Bearer ${token}`)).status, 200);
  await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
  const res = await create(`Bearer ${token}`);
  t.same([res.status, res.text], [401, UNAUTHORIZED]);
});
