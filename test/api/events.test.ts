/**
 * GET /admin/events, the published events as Server-Sent Events: admin only, checked input,
 * filters, and a real EventSource client that follows the stream across a restart of the
 * service, resuming with Last-Event-ID, with nothing lost and nothing twice.
 */
import { EventSource } from "eventsource";
import t from "tap";
import { freePort } from "../../shared/runtime/roleProcess.js";
import { makeDataDir, startTestService, type TestService } from "../support/service.js";

interface Received {
  id: string;
  envelope: { event_id: string; type: string; stream: string; position: string; data: { id?: string } };
}

function follow(baseUrl: string, token: string, query = "") {
  const received: Received[] = [];
  let opens = 0;
  const source = new EventSource(`${baseUrl}/admin/events${query}`, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}` } }),
  });
  source.onopen = () => void (opens += 1);
  source.onmessage = (message) => received.push({ id: message.lastEventId, envelope: JSON.parse(message.data) });
  return { source, received, opens: () => opens };
}

async function until(condition: () => boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const create = async (api: TestService, body: unknown) => {
  const res = await api.request("POST", "/admin/customers", { body });
  if (res.status !== 200) throw new Error(`create answered ${res.status}: ${res.text}`);
  return (res.json as { customer: { id: string } }).customer.id;
};

t.test("admin only, and bad input answers 400 with Medusa's body", async (t) => {
  const api = await startTestService();
  t.teardown(() => api.stop());
  t.equal((await api.request("GET", "/admin/events", { token: false })).status, 401);
  const bad = async (query: string, headers: Record<string, string> = {}) => {
    const res = await api.request("GET", `/admin/events${query}`, { headers });
    t.equal(res.status, 400, query || JSON.stringify(headers));
    t.equal((res.json as { type: string }).type, "invalid_data");
    return (res.json as { message: string }).message;
  };
  t.match(await bad("", { "last-event-id": "'; drop table events" }), /Last-Event-ID must be the id of an event/);
  t.match(await bad("?last_event_id=-1"), /Last-Event-ID must be/);
  t.match(await bad("?types=CustomerCreated,CustomerPromoted"), /Unknown event type\(s\): CustomerPromoted/);
  await bad("?from=yesterday");
  await bad("?surprise=1");
});

t.test("from the beginning, filtered by type; each message's id is its event's position", async (t) => {
  const api = await startTestService();
  t.teardown(() => api.stop());
  const first = await create(api, { email: "sse.one@example.com" });
  await api.request("POST", `/admin/customers/${first}`, { body: { first_name: "One" } });
  const all = follow(api.baseUrl, api.token, "?from=beginning");
  const created = follow(api.baseUrl, api.token, "?from=beginning&types=CustomerCreated");
  const live = follow(api.baseUrl, api.token);
  t.teardown(() => [all, created, live].forEach(({ source }) => source.close()));
  await until(() => all.received.length === 2 && live.opens() === 1, "the history and a live stream open");
  const second = await create(api, { email: "sse.two@example.com" });
  await until(() => all.received.length === 3 && created.received.length === 2 && live.received.length === 1, "the new event everywhere");
  t.same(all.received.map(({ envelope }) => [envelope.type, envelope.data.id]), [["CustomerCreated", first], ["CustomerUpdated", first], ["CustomerCreated", second]]);
  t.same(created.received.map(({ envelope }) => envelope.type), ["CustomerCreated", "CustomerCreated"], "types filters");
  t.same(live.received.map(({ envelope }) => envelope.data.id), [second], "without from, only what is written after connecting");
  for (const { id, envelope } of all.received) t.equal(id, envelope.position, "the SSE id is the global position");
  t.notOk(all.received.some(({ envelope }) => envelope.stream.startsWith("customer_email")), "internal streams are not published");
});

t.test("an EventSource follows the stream across a restart of the service: resumed with Last-Event-ID, nothing lost or twice", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const port = String(await freePort());
  const env = { PORT: port };
  let api = await startTestService({ dataDir: data.dir, env });
  const before = [await create(api, { email: "restart.a@example.com" }), await create(api, { email: "restart.b@example.com" })];
  const client = follow(api.baseUrl, api.token, "?from=beginning&types=CustomerCreated");
  t.teardown(() => client.source.close());
  await until(() => client.received.length === 2, "the events before the restart");

  await api.stop(); // ends the stream: the client reconnects by itself, to nothing at first
  api = await startTestService({ dataDir: data.dir, env });
  t.teardown(() => api.stop());
  const after = [await create(api, { email: "restart.c@example.com" }), await create(api, { email: "restart.d@example.com" })];
  await until(() => client.received.length >= 4, "the events after the restart", 20_000);
  await new Promise((resolve) => setTimeout(resolve, 300));

  t.same(client.received.map(({ envelope }) => envelope.data.id), [...before, ...after], "every event once, in order");
  t.ok(client.opens() >= 2, `the client reconnected (${client.opens()} opens)`);
  const positions = client.received.map(({ id }) => Number(id));
  t.same(positions, [...positions].sort((a, b) => a - b), "positions only grow");
});

t.test("streams are bounded per service (429 beyond), and a closed one frees its place", async (t) => {
  const api = await startTestService({ env: { EVENT_STREAMS_MAX: "1" } });
  t.teardown(() => api.stop());
  const first = follow(api.baseUrl, api.token);
  await until(() => first.opens() === 1, "the first stream");
  const refused = await api.request("GET", "/admin/events");
  t.equal(refused.status, 429);
  t.match(refused.json, { message: /Too many event streams are open \(1 at most\)/ });
  first.source.close();
  await until(() => false, "", 300).catch(() => undefined);
  const second = follow(api.baseUrl, api.token);
  t.teardown(() => second.source.close());
  await until(() => second.opens() === 1, "a stream after the first closed");
  t.pass("opened");
});
