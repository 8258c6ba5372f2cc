/**
 * The one-process mode with PostgreSQL as the event store (POSTGRES_URL): the API over real
 * HTTP, the events and data keys in PostgreSQL, the read model rebuilt from there into an
 * empty DATA_DIR, and the line to PostgreSQL cut: writes answer 503 within the timeout,
 * change nothing, and work again once the line is back. The connection goes through a TCP
 * proxy of the tests' own (test/support/tcpProxy.ts), so the shared server is never touched.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import t from "tap";
import { postgresUrl, requireServers } from "../support/cluster.js";
import { type TestService, makeDataDir, startTestService } from "../support/service.js";
import { stopInOrder } from "../../shared/runtime/stopInOrder.js";
import { TcpProxy } from "../support/tcpProxy.js";
import { failIfStillRunningAfter } from "../support/exitWatch.js";

if (requireServers(t, "PostgreSQL one-process suite", ["postgres"])) {
  const schema = `api_${randomBytes(5).toString("hex")}`;
  const target = new URL(postgresUrl);
  let proxy: TcpProxy;
  let service: TestService;
  const env = () => {
    const url = new URL(postgresUrl);
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    return { POSTGRES_URL: url.toString(), POSTGRES_SCHEMA: schema, ENCRYPTION_KEY: "42".repeat(32), POSTGRES_TIMEOUT_MS: "2000" };
  };
  const admin = new pg.Pool({ connectionString: postgresUrl, max: 2 });

  t.before(async () => {
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    service = await startTestService({ env: env() });
  });
  // Each step even if one before it fails: a proxy or a pool left open keeps this process from exiting.
  t.teardown(() =>
    stopInOrder([
      () => service?.stop(),
      () => proxy?.close(),
      () => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
      () => admin.query(`DROP SCHEMA IF EXISTS "${schema}_keys" CASCADE`),
      () => admin.end(),
    ]),
  );

  // Registered after the teardown above, so it starts once that has ended.
  failIfStillRunningAfter(t);

  t.test("creates land in PostgreSQL and answer from the read model; one customer per email under a race", async (t) => {
    const created = await service.request("POST", "/admin/customers", { body: { email: "pg.one@example.com", first_name: "One" } });
    t.equal(created.status, 200);
    t.equal(created.headers.get("x-read-model"), null, "answered from the read model");
    const id = created.json.customer.id as string;
    t.same((await service.request("GET", `/admin/customers/${id}`)).json.customer, created.json.customer);

    const { rows } = await admin.query(`SELECT type FROM "${schema}".events WHERE stream = $1`, [`customer-${id}`]);
    t.same(rows, [{ type: "CustomerCreated" }], "the event is in PostgreSQL");
    t.notOk(existsSync(join(service.dataDir, "events.sqlite")), "and no events file in DATA_DIR");
    const keys = await admin.query(`SELECT count(*)::int AS n FROM "${schema}_keys".data_keys WHERE subject = $1 AND wrapped IS NOT NULL`, [id]);
    t.equal(keys.rows[0].n, 1, "the customer's data key is in PostgreSQL");

    const raced = await Promise.all(Array.from({ length: 16 }, () => service.request("POST", "/admin/customers", { body: { email: "pg.race@example.com" } })));
    t.equal(raced.filter((r) => r.status === 200).length, 1, "one create wins");
    t.equal(raced.filter((r) => r.status === 400).length, 15, "the others are told the email is taken");
  });

  t.test("a service on an empty DATA_DIR builds its read model from PostgreSQL", async (t) => {
    const listed = await service.request("GET", "/admin/customers?order=created_at");
    const other = makeDataDir();
    const second = await startTestService({ dataDir: other.dir, env: env() });
    t.teardown(async () => {
      await second.stop();
      other.remove();
    });
    const elsewhere = await second.request("GET", "/admin/customers?order=created_at");
    t.equal(elsewhere.json.count, listed.json.count);
    t.same(elsewhere.json.customers, listed.json.customers, "the same customers, field for field");
  });

  t.test("history, Idempotency-Key and ETags on the PostgreSQL store: the events answer them", async (t) => {
    const created = await service.request("POST", "/admin/customers", { body: { email: "pg.history@example.com", first_name: "Before" } });
    const id = created.json.customer.id as string;
    const updated = await service.request("POST", `/admin/customers/${id}`, { body: { first_name: "After" } });
    t.equal(updated.status, 200);
    const history = await service.request("GET", `/admin/customers/${id}/history`);
    t.same(
      history.json.history.map((entry: { revision: number; type: string }) => [entry.revision, entry.type]),
      [[1, "CustomerUpdated"], [0, "CustomerCreated"]],
      "newest first",
    );
    t.same(history.json.history[0].changes, [{ field: "first_name", before: "Before", after: "After" }]);

    // A key is a stream of the event store, here PostgreSQL's: a retry replays the first answer from there.
    const email = `pg.idempotent.${randomBytes(4).toString("hex")}@example.com`;
    const keyed = (body: unknown) => service.request("POST", "/admin/customers", { body, headers: { "idempotency-key": `pg-${email}` } });
    const first = await keyed({ email });
    t.equal(first.status, 200);
    const replayed = await keyed({ email });
    t.same([replayed.status, replayed.text, replayed.headers.get("idempotent-replayed")], [200, first.text, "true"], "the first answer, replayed");
    const other = await keyed({ email, first_name: "Other" });
    t.same([other.status, other.json.type], [422, "invalid_data"], "another request with the key");
    const byEmail = await service.request("GET", `/admin/customers?email=${encodeURIComponent(email)}`);
    t.same([byEmail.json.count, byEmail.json.customers[0].first_name], [1, null], "one customer, unchanged by the refused request");
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE stream = $1`, [`customer-${first.json.customer.id}`]);
    t.equal(rows[0].n, 1, "one event in PostgreSQL");

    const url = `/admin/customers/${id}`;
    const etag = (await service.request("GET", url)).headers.get("etag")!;
    t.match(etag, /^"1-[A-Za-z0-9_-]{16}"$/, "a strong tag of the stream's revision");
    t.equal((await service.request("GET", url, { headers: { "if-none-match": etag } })).status, 304);
    const current = await service.request("POST", url, { headers: { "if-match": etag }, body: { first_name: "Third" } });
    t.equal(current.status, 200, "a current tag decides the write");
    const stale = await service.request("POST", url, { headers: { "if-match": etag }, body: { first_name: "Fourth" } });
    t.same([stale.status, stale.json.type], [412, "conflict"], "a stale one is refused");
    t.equal((await service.request("GET", url)).json.customer.first_name, "Third", "and wrote nothing");
  });

  t.test("with the line to PostgreSQL cut, writes answer 503 within the timeout and change nothing; then work again", async (t) => {
    const before = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".events`);
    proxy.setFault({ kind: "black-hole" });
    // Pooled connections stay open into the black hole; new ones cannot connect.
    const started = Date.now();
    const cut = await Promise.all(Array.from({ length: 4 }, (_, i) => service.request("POST", "/admin/customers", { body: { email: `cut.${i}@example.com` } })));
    const took = Date.now() - started;
    t.same(cut.map((r) => r.status), [503, 503, 503, 503], `every write answers 503 (${cut.map((r) => r.text.slice(0, 120)).join(" | ")})`);
    t.match(cut[0]!.json, { type: "unexpected_state", message: /retry/i }, "with a Medusa-shaped body that says to retry");
    t.ok(took < 15_000, `within the timeout, not for as long as the outage lasts (${took} ms)`);
    t.equal((await service.request("GET", "/health")).status, 200, "the process still serves");

    proxy.setFault({ kind: "reset" });
    proxy.setFault({ kind: "none" });
    const after = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".events`);
    t.equal(after.rows[0]!.n, before.rows[0]!.n, "nothing was written while the line was cut");
    let again = await service.request("POST", "/admin/customers", { body: { email: "cut.0@example.com" } });
    for (const deadline = Date.now() + 10_000; again.status === 503 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      again = await service.request("POST", "/admin/customers", { body: { email: "cut.0@example.com" } });
    }
    t.equal(again.status, 200, "the same create succeeds once the line is back (its email was never taken)");
    t.equal(again.headers.get("x-read-model"), null, "and the read model follows again");
  });
}
