/**
 * The sealing event store over the real embedded store and key store: the files on disk hold
 * none of a customer's personal data, reads give it back, and once the customer's key is
 * destroyed reads give nulls (erased) while the files still hold nothing readable; an erased
 * customer cannot be given new personal data.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { masterKey } from "../../shared/crypto/masterKey.js";
import type { EventToAppend } from "../../shared/eventstore/port.js";
import { SealingEventStore, SubjectErased } from "../../shared/eventstore/sealing.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { KeyStore } from "../../shared/keystore/keyStore.js";
import { SqliteKeyRecords } from "../../shared/keystore/sqlite.js";

const metadata = () => ({ event_id: randomUUID(), schema_version: 1, occurred_at: new Date().toISOString(), correlation_id: "req", causation_id: "cmd", actor: { id: "user_1", type: "user" } });

t.test("personal data is sealed on disk, read back in the clear, and null once the key is destroyed", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "customers-sealing-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const inner = new SqliteEventStore(join(dir, "events.sqlite"));
  const keys = new KeyStore({ records: new SqliteKeyRecords(join(dir, "keys.sqlite")), master: masterKey(randomBytes(32)) });
  const store = new SealingEventStore(inner, keys);
  t.teardown(async () => {
    await store.close();
    await keys.close();
  });

  const id = "cus_01SEALINGTEST000000000000";
  const created = { id, email: "grace.hopper@navy.example", company_name: "Harvard Mark I", first_name: "Grace", last_name: "Hopper", phone: "+1 555 0100", metadata: { rank: "Rear Admiral" }, has_account: false, created_by: "user_1", created_at: "2026-12-01T00:00:00.000Z" };
  const reserved = { email: "grace.hopper@navy.example", has_account: false, customer_id: id, reserved_at: "2026-12-01T00:00:00.000Z" };
  const group = { id: "cusgroup_1", name: "Pioneers", metadata: null, created_by: "user_1", created_at: "2026-12-01T00:00:00.000Z" };
  const event = (type: string, data: unknown): EventToAppend => ({ type, data, metadata: metadata() });
  await store.appendToStreams([
    { stream: "customer_email-abc", events: [event("CustomerEmailReserved", reserved)], expectedRevision: "no_stream" },
    { stream: `customer-${id}`, events: [event("CustomerCreated", created)], expectedRevision: "no_stream" },
  ]);
  await store.appendToStream("customer_group-cusgroup_1", [event("CustomerGroupCreated", group)], { expectedRevision: "no_stream" });

  const onDisk = () => readdirSync(dir).filter((file) => file.startsWith("events.sqlite")).map((file) => readFileSync(join(dir, file)).toString("latin1")).join("");
  const personal = ["grace.hopper@navy.example", "Grace", "Hopper", "Harvard Mark I", "+1 555 0100", "Rear Admiral"];
  const leaks = () => personal.filter((value) => onDisk().includes(value));
  t.same(leaks(), [], "the event store's files hold none of it");
  t.ok(onDisk().includes("Pioneers"), "what is not personal is stored as it is (so the scan can find text)");

  t.same((await store.readStream(`customer-${id}`))[0]!.data, created, "read back in the clear");
  t.same((await store.readStream("customer_email-abc"))[0]!.data, reserved);
  const all = await store.readAll({ maxCount: 10 });
  t.same(all.find((e) => e.type === "CustomerCreated")!.data, created, "through readAll too");
  const subscription = store.subscribeToAll({});
  const followed = [];
  for await (const recorded of subscription) {
    followed.push(recorded);
    if (followed.length === 3) break;
  }
  await subscription.close();
  t.same(followed.find((e) => e.type === "CustomerCreated")!.data, created, "and through a subscription");

  t.equal(await keys.destroy(id), true);
  const erased = (await store.readStream(`customer-${id}`))[0]!.data as Record<string, unknown>;
  t.match(erased, { id, email: null, first_name: null, last_name: null, company_name: null, phone: null, metadata: null, has_account: false, created_at: created.created_at, erased: true });
  t.match((await store.readStream("customer_email-abc"))[0]!.data, { email: null, customer_id: id, erased: true });
  t.same(leaks(), [], "the files still hold nothing readable");

  const before = await inner.streamRevision(`customer-${id}`);
  await t.rejects(
    store.appendToStream(`customer-${id}`, [event("CustomerUpdated", { id, changes: { first_name: "G." }, updated_at: new Date().toISOString() })], { expectedRevision: 0 }),
    SubjectErased,
  );
  t.equal(await inner.streamRevision(`customer-${id}`), before, "nothing written for an erased customer");

  await inner.appendToStream("customer-cus_OLD", [event("CustomerCreated", { ...created, id: "cus_OLD" })], { expectedRevision: "no_stream" });
  t.equal(((await store.readStream("customer-cus_OLD"))[0]!.data as { email: string }).email, created.email, "events written before sealing read as they are");
});
