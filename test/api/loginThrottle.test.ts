/**
 * Brute-force limiting of logins: repeated failures make a client wait (429 with
 * Retry-After) for that email, twice as long each time, without holding back other clients;
 * a client failing for many emails is paused; a success clears the count.
 */
import t from "tap";
import { createAdminUser } from "../support/auth.js";
import { type TestService, startTestService } from "../support/service.js";

const WINDOW_MS = 1500;
let api: TestService;
t.before(async () => {
  api = await startTestService({
    // The test speaks as a proxy on loopback would, naming each client in X-Forwarded-For.
    env: { LOGIN_MAX_FAILURES_PER_EMAIL: "3", LOGIN_MAX_FAILURES_PER_CLIENT: "6", LOGIN_FAILURE_WINDOW_MS: String(WINDOW_MS), TRUST_PROXY: "127.0.0.1" },
  });
  await createAdminUser(api.dataDir, "admin@example.com", "right");
  await createAdminUser(api.dataDir, "other@example.com", "right");
});
t.teardown(() => api.stop());

/** Each test speaks from its own client address (the service trusts the proxy on loopback). */
const login = (client: string, email: string, password: string) =>
  api.request("POST", "/auth/user/emailpass", { body: { email, password }, token: false, headers: { "x-forwarded-for": client } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test("a guesser waits after repeated wrong passwords; the real admin elsewhere is not held back", async (t) => {
  for (let i = 0; i < 3; i += 1) t.equal((await login("10.0.0.1", "admin@example.com", "wrong")).status, 401);
  const paused = await login("10.0.0.1", "admin@example.com", "right");
  t.equal(paused.status, 429, "even the right password, from the guessing client, while it waits");
  t.same(paused.json, { type: "not_allowed", message: "Too many failed login attempts. Try again later." });
  const retryAfter = Number(paused.headers.get("retry-after"));
  t.equal(retryAfter, 1, "the first wait is a second");
  t.equal((await login("10.0.0.2", "admin@example.com", "right")).status, 200, "the admin at another address logs in at once");
  t.equal((await login("10.0.0.2", "other@example.com", "right")).status, 200, "other users are not affected");

  await sleep(retryAfter * 1000 + 100);
  t.equal((await login("10.0.0.1", "admin@example.com", "wrong")).status, 401, "the wait is over");
  const longer = await login("10.0.0.1", "admin@example.com", "wrong");
  t.same([longer.status, longer.headers.get("retry-after")], [429, "2"], "and the next one is twice as long");
});

t.test("a success clears the count of its email", async (t) => {
  await sleep(WINDOW_MS);
  for (const password of ["wrong", "wrong", "right", "wrong", "wrong"]) await login("10.0.0.3", "other@example.com", password);
  t.equal((await login("10.0.0.3", "other@example.com", "wrong")).status, 401, "only two failures since the success: no wait yet");
});

t.test("a client trying many emails is paused, others are not", async (t) => {
  for (let i = 0; i < 6; i += 1) t.equal((await login("10.0.0.9", `guess${i}@example.com`, "x")).status, 401);
  t.equal((await login("10.0.0.9", "someone@example.com", "x")).status, 429);
  t.equal((await login("10.0.0.10", "someone@example.com", "x")).status, 401);
});

t.test("malformed attempts are not counted", async (t) => {
  for (let i = 0; i < 5; i += 1) {
    t.equal((await api.request("POST", "/auth/user/emailpass", { body: { email: "x@example.com" }, token: false, headers: { "x-forwarded-for": "10.0.0.20" } })).status, 401);
  }
  t.equal((await login("10.0.0.20", "x@example.com", "y")).status, 401, "no pause: none of them was a password guess");
});

t.test("X-Forwarded-For is believed only from a proxy TRUST_PROXY names", async (t) => {
  const direct = await startTestService({ env: { LOGIN_MAX_FAILURES_PER_EMAIL: "100", LOGIN_MAX_FAILURES_PER_CLIENT: "3", LOGIN_FAILURE_WINDOW_MS: "60000" } });
  t.teardown(() => direct.stop());
  await createAdminUser(direct.dataDir, "admin@example.com", "right");
  // Without TRUST_PROXY, a client rotating the header is still one client.
  const statuses = [];
  for (let i = 0; i < 4; i += 1) {
    const res = await direct.request("POST", "/auth/user/emailpass", { body: { email: "admin@example.com", password: "wrong" }, token: false, headers: { "x-forwarded-for": `10.9.0.${i}` } });
    statuses.push(res.status);
  }
  t.same(statuses, [401, 401, 401, 429], "the fourth failure from this address is paused, whatever the header says");
});
