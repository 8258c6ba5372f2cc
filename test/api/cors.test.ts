/**
 * CORS on /admin and /auth from ADMIN_CORS and AUTH_CORS, as Medusa's `cors` setup answers.
 */
import t from "tap";
import { type TestService, startTestService } from "../support/service.js";

let api: TestService;
t.before(async () => {
  api = await startTestService({
    env: { ADMIN_CORS: "http://localhost:7001, /^https:\\/\\/[a-z]+\\.example\\.com$/", AUTH_CORS: "http://localhost:7001" },
  });
});
t.teardown(() => api.stop());

const preflight = (path: string, origin: string) =>
  api.request("OPTIONS", path, {
    token: false,
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization,x-medusa-locale" },
  });

t.test("a preflight from an allowed origin: 204, the origin, credentials, methods, headers echoed", async (t) => {
  for (const path of ["/admin/customers", "/admin/customers/cus_1/addresses", "/auth/user/emailpass", "/auth/session"]) {
    const res = await preflight(path, "http://localhost:7001");
    t.equal(res.status, 204, path);
    t.equal(res.text, "");
    t.equal(res.headers.get("access-control-allow-origin"), "http://localhost:7001");
    t.equal(res.headers.get("access-control-allow-credentials"), "true");
    t.equal(res.headers.get("access-control-allow-methods"), "GET,HEAD,PUT,PATCH,POST,DELETE");
    t.equal(res.headers.get("access-control-allow-headers"), "content-type,authorization,x-medusa-locale");
    t.equal(res.headers.get("vary"), "Origin, Access-Control-Request-Headers");
  }
});

t.test("an origin that is not allowed is not echoed", async (t) => {
  const res = await preflight("/admin/customers", "http://evil.test");
  t.equal(res.status, 204);
  t.equal(res.headers.get("access-control-allow-origin"), null);
  t.equal(res.headers.get("access-control-allow-credentials"), "true");
  const auth = await preflight("/auth/user/emailpass", "https://shop.example.com");
  t.equal(auth.headers.get("access-control-allow-origin"), null, "AUTH_CORS is its own list");
});

t.test("/pattern/ entries match as regular expressions", async (t) => {
  t.equal((await preflight("/admin/customers", "https://shop.example.com")).headers.get("access-control-allow-origin"), "https://shop.example.com");
  t.equal((await preflight("/admin/customers", "https://shop.example.com.evil.test")).headers.get("access-control-allow-origin"), null);
});

t.test("actual requests carry the origin and credentials, and still need authentication", async (t) => {
  const ok = await api.request("GET", "/admin/customers", { headers: { origin: "http://localhost:7001" } });
  t.equal(ok.status, 200);
  t.equal(ok.headers.get("access-control-allow-origin"), "http://localhost:7001");
  t.equal(ok.headers.get("access-control-allow-credentials"), "true");
  t.equal(ok.headers.get("vary"), "Origin");
  t.equal(ok.headers.get("access-control-expose-headers"), "ETag, Idempotent-Replayed, X-Read-Model", "the page may read the ETag");
  const elsewhere = await api.request("GET", "/admin/customers", { headers: { origin: "http://evil.test" } });
  t.equal(elsewhere.headers.get("access-control-expose-headers"), null, "not for an origin that is not allowed");
  const refused = await api.request("GET", "/admin/customers", { token: false, headers: { origin: "http://localhost:7001" } });
  t.equal(refused.status, 401);
  t.equal(refused.headers.get("access-control-allow-origin"), "http://localhost:7001", "a browser can read the 401");
});

t.test("other paths get no CORS headers", async (t) => {
  const res = await api.request("GET", "/health", { token: false, headers: { origin: "http://localhost:7001" } });
  t.equal(res.headers.get("access-control-allow-origin"), null);
  t.equal(res.headers.get("access-control-allow-credentials"), null);
  t.equal((await api.request("GET", "/administrator", { token: false, headers: { origin: "http://localhost:7001" } })).headers.get("access-control-allow-credentials"), null);
});
