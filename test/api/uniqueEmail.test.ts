/**
 * Unique (email, has_account) on the write side: duplicates, races, case, null emails,
 * and recovery from a create that died between its reservation and its customer event.
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import { customerStreamName } from "../../shared/customers/customer.js";
import { loadSettings } from "../../shared/config.js";
import { emailReservationStreamName } from "../../shared/customers/emailReservation.js";
import { silentLogger } from "../../shared/logger.js";
import { EMAIL_INDEX_KEY_SUBJECT } from "../../shared/runtime/api.js";
import { openKeyStore } from "../../shared/runtime/keys.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { join } from "node:path";
import { type TestService, makeDataDir, startTestService } from "../support/service.js";

/** The reservation stream the service names for an email, with the index key from its key store. */
async function reservationStream(dataDir: string, email: string): Promise<string> {
  const keys = await openKeyStore(loadSettings({ NODE_ENV: "test", DATA_DIR: dataDir }), silentLogger);
  try {
    return emailReservationStreamName(await keys.obtain(EMAIL_INDEX_KEY_SUBJECT), email, false);
  } finally {
    await keys.close();
  }
}

const duplicateMessage = (email: string) => `Customer with email: ${email}, has_account: false, already exists.`;

t.test("duplicates, case and null emails", async (t) => {
  const api = await startTestService();
  t.teardown(() => api.stop());
  const email = `dup.${randomUUID()}@example.com`;
  t.equal((await api.request("POST", "/admin/customers", { body: { email } })).status, 200);
  const again = await api.request("POST", "/admin/customers", { body: { email, first_name: "Other" } });
  t.same([again.status, again.json], [400, { type: "invalid_data", message: duplicateMessage(email) }]);
  const upper = await api.request("POST", "/admin/customers", { body: { email: email.toUpperCase() } });
  t.equal(upper.status, 200, "emails are compared case-sensitively, like Medusa");
  for (let i = 0; i < 5; i += 1) {
    t.equal((await api.request("POST", "/admin/customers", { body: { email: null } })).status, 200, "any number without an email");
  }
});

t.test("64 concurrent creates with one email: exactly one customer", async (t) => {
  const api = await startTestService();
  t.teardown(() => api.stop());
  const email = `race.${randomUUID()}@example.com`;
  const responses = await Promise.all(
    Array.from({ length: 64 }, (_, i) => api.request("POST", "/admin/customers", { body: { email, first_name: `racer ${i}` } })),
  );
  const ok = responses.filter((r) => r.status === 200);
  const rejected = responses.filter((r) => r.status === 400);
  t.equal(ok.length, 1);
  t.equal(rejected.length, 63);
  t.ok(rejected.every((r) => r.json.type === "invalid_data" && r.json.message === duplicateMessage(email)));
  const winner = ok[0]!.json.customer;
  t.same((await api.request("GET", `/admin/customers/${winner.id}`)).json.customer, winner);
});

async function plantStalledReservation(dataDir: string, email: string, ghostId: string): Promise<void> {
  const stream = await reservationStream(dataDir, email);
  const store = new SqliteEventStore(join(dataDir, "events.sqlite"));
  await store.appendToStream(
    stream,
    [
      {
        type: "CustomerEmailReserved",
        data: { email, has_account: false, customer_id: ghostId, reserved_at: new Date().toISOString() },
        metadata: {
          event_id: randomUUID(),
          schema_version: 1,
          occurred_at: new Date().toISOString(),
          correlation_id: "crashed-request",
          causation_id: "crashed-command",
          actor: { id: "user_1", type: "user" },
        },
      },
    ],
    { expectedRevision: "no_stream" },
  );
  await store.close();
}

t.test("a create that died after reserving its email does not block the email forever", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const email = `stalled.${randomUUID()}@example.com`;
  const ghostId = "cus_01GHOST000000000000000000";
  const api: TestService = await startTestService({ dataDir: data.dir, env: { RESERVATION_GRACE_MS: "300" } });
  t.teardown(() => api.stop());
  // Warmed up first, so that the grace period below is not spent starting the service.
  t.equal((await api.request("POST", "/admin/customers", { body: { email: `warm-up.${randomUUID()}@example.com` } })).status, 200);
  // The state a crash leaves behind: a reservation whose customer event was never written.
  await plantStalledReservation(data.dir, email, ghostId);
  const early = await api.request("POST", "/admin/customers", { body: { email } });
  t.equal(early.status, 400, "within the grace period the reservation is trusted as an in-flight create");

  await new Promise((resolve) => setTimeout(resolve, 350));
  const late = await api.request("POST", "/admin/customers", { body: { email } });
  t.equal(late.status, 200, "after it, the stalled create is fenced and the email is free");
  t.equal(late.json.customer.email, email);
  t.equal((await api.request("GET", `/admin/customers/${ghostId}`)).status, 404, "the fenced id has no customer");

  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  t.same((await store.readStream(customerStreamName(ghostId))).map((e) => e.type), ["CustomerCreationAbandoned"]);
  await t.rejects(
    store.appendToStream(customerStreamName(ghostId), [], { expectedRevision: "no_stream" }),
    { name: "WrongExpectedRevision" },
    "the stalled create can never complete now",
  );
  t.same((await store.readStream(await reservationStream(data.dir, email))).map((e) => e.type), [
    "CustomerEmailReserved",
    "CustomerEmailReleased",
    "CustomerEmailReserved",
  ]);
  await store.close();

  const duplicate = await api.request("POST", "/admin/customers", { body: { email } });
  t.equal(duplicate.status, 400, "the new holder is protected as usual");
});
