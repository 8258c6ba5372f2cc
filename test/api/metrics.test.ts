/**
 * GET /metrics on the embedded service, read by an independent text-format parser: requests
 * are timed under their route template (never a URL with a customer id), counts grow, the
 * duplicate-email and login-throttle refusals are counted, and only METRICS_TOKEN is let in.
 */
import t from "tap";
import { parseScrape } from "../support/prometheusText.js";
import { type TestService, startTestService } from "../support/service.js";

const METRICS_TOKEN = "metrics-token-for-the-api-suite";
const DURATION = "http_request_duration_seconds";
let api: TestService;
t.before(async () => {
  api = await startTestService({ env: { METRICS_TOKEN, LOGIN_MAX_FAILURES_PER_EMAIL: "1" } });
});
t.teardown(() => api.stop());

const scrape = async () => {
  const answer = await api.request("GET", "/metrics", { token: METRICS_TOKEN });
  t.equal(answer.status, 200, "scraped");
  t.match(answer.headers.get("content-type"), /^text\/plain; version=0\.0\.4/);
  return parseScrape(answer.text);
};
const count = (parsed: ReturnType<typeof parseScrape>, labels: Record<string, string>) =>
  parsed.samples
    .filter((sample) => sample.name === `${DURATION}_count` && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);

t.test("requests are timed by route template and status; ids never appear", async (t) => {
  const created = await api.request("POST", "/admin/customers", { body: { email: "metrics@example.com" } });
  t.equal(created.status, 200);
  const id: string = created.json.customer.id;
  t.equal((await api.request("GET", `/admin/customers/${id}`)).status, 200);
  t.equal((await api.request("GET", "/admin/customers/cus_01MISSING0000000000000000")).status, 404, "a 404 with an id in the URL");
  t.equal((await api.request("POST", "/admin/customers", { body: { email: 42 } })).status, 400, "a 400");
  t.equal((await api.request("GET", `/nowhere/${id}`)).status, 404, "no route at all");

  const first = await scrape();
  t.equal(first.families.get(DURATION), "histogram");
  const route = "/admin/customers/:id";
  t.equal(count(first, { method: "GET", route, status_code: "200" }), 1);
  t.equal(count(first, { method: "GET", route, status_code: "404" }), 1);
  t.equal(count(first, { method: "POST", route: "/admin/customers", status_code: "400" }), 1);
  t.equal(count(first, { route: "unmatched", status_code: "404" }), 1, "unmatched URLs share one label");
  t.ok(first.samples.some((sample) => sample.name === `${DURATION}_bucket` && sample.labels.route === route && sample.labels.le === "+Inf"));
  const withIds = first.samples.filter((sample) => Object.values(sample.labels).some((value) => value.includes("cus_")));
  t.same(withIds, [], "no label holds a customer id");

  t.equal((await api.request("GET", `/admin/customers/${id}`)).status, 200);
  const second = await scrape();
  t.equal(count(second, { method: "GET", route, status_code: "200" }), 2, "the count grows");
  t.ok(
    first.samples.find((sample) => sample.name === "customers_event_store_append_duration_seconds_count")!.value >= 1,
    "the create's append was timed",
  );
  t.ok(second.families.has("process_cpu_user_seconds_total"), "the default process metrics");
  t.ok(second.families.has("nodejs_eventloop_lag_seconds"));
  for (const name of ["customers_publisher_lag_events", "customers_publisher_lag_seconds", "customers_projection_lag_events", "customers_projection_lag_seconds"]) {
    t.equal(second.families.get(name), "gauge", name);
  }
});

t.test("duplicate emails and throttled logins are counted", async (t) => {
  const before = await scrape();
  const conflicts = (parsed: ReturnType<typeof parseScrape>) => parsed.samples.find((sample) => sample.name === "customers_email_conflicts_total")!.value;
  const throttled = (parsed: ReturnType<typeof parseScrape>) => parsed.samples.find((sample) => sample.name === "customers_login_throttled_total")!.value;
  t.equal((await api.request("POST", "/admin/customers", { body: { email: "twice@example.com" } })).status, 200);
  t.equal((await api.request("POST", "/admin/customers", { body: { email: "twice@example.com" } })).status, 400);
  const login = () => api.request("POST", "/auth/user/emailpass", { body: { email: "nobody@example.com", password: "wrong" }, token: false });
  t.equal((await login()).status, 401);
  t.equal((await login()).status, 429);
  const after = await scrape();
  t.equal(conflicts(after) - conflicts(before), 1);
  t.equal(throttled(after) - throttled(before), 1);
});

t.test("only the metrics token is let in", async (t) => {
  const none = await api.request("GET", "/metrics", { token: false });
  t.equal(none.status, 401);
  t.equal(none.headers.get("www-authenticate"), 'Bearer realm="metrics"');
  t.equal((await api.request("GET", "/metrics", { token: "another-token-of-enough-length" })).status, 401);
  t.equal((await api.request("GET", "/metrics")).status, 401, "an admin token is not the metrics token");
});

t.test("without METRICS_TOKEN there is no /metrics", async (t) => {
  const plain = await startTestService();
  t.teardown(() => plain.stop());
  t.equal((await plain.request("GET", "/metrics", { token: METRICS_TOKEN })).status, 404);
});
