/**
 * Stores written before reservation streams were named by an HMAC hold them as
 * `customer_email-<sha256>`, and those reservations keep holding: until an email's own stream
 * exists, its reservation starts from the legacy stream's state, and every write goes to its
 * own stream (expecting none the first time), never to the legacy one.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import t, { type Test } from "tap";
import type { CommandContext } from "../../shared/application/context.js";
import { CustomerCommands } from "../../shared/application/customerCommands.js";
import { customerEmailReservations, legacyEmailReservationsExist } from "../../shared/application/reservations.js";
import { type CustomerEvent, customerStreamName } from "../../shared/customers/customer.js";
import { type EmailReservationEvent, emailReservationStreamName, legacyEmailReservationStreamName } from "../../shared/customers/emailReservation.js";
import { EmailAlreadyTaken } from "../../shared/customers/errors.js";
import type { EventToAppend } from "../../shared/eventstore/port.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { silentLogger } from "../../shared/logger.js";
import { makeDataDir } from "../support/service.js";

const context: CommandContext = { actor: { id: "user_1", type: "user" }, correlationId: "c", causationId: "c" };
const BEFORE = "2026-01-01T00:00:00.000Z";

const recorded = (event: CustomerEvent | EmailReservationEvent): EventToAppend => ({
  ...event,
  metadata: { event_id: randomUUID(), schema_version: 1, occurred_at: BEFORE, correlation_id: "req-old", causation_id: "cmd-old", actor: { id: "user_1", type: "user" } },
});

/** What a create left before the change: the customer, and its email reserved in a legacy stream. */
async function plantLegacyCustomer(store: SqliteEventStore, id: string, email: string): Promise<void> {
  const data = { id, email, company_name: null, first_name: null, last_name: null, phone: null, metadata: null, has_account: false, created_by: "user_1", created_at: BEFORE };
  await store.appendToStreams([
    {
      stream: legacyEmailReservationStreamName(email, false),
      events: [recorded({ type: "CustomerEmailReserved", data: { email, has_account: false, customer_id: id, reserved_at: BEFORE } })],
      expectedRevision: "no_stream",
    },
    { stream: customerStreamName(id), events: [recorded({ type: "CustomerCreated", data })], expectedRevision: "no_stream" },
  ]);
}

/** A store the way a process finds it at start-up (`plant` runs first), and the commands it builds on it. */
async function setUp(t: Test, plant: (store: SqliteEventStore) => Promise<void>) {
  const data = makeDataDir();
  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  t.teardown(async () => {
    await store.close();
    data.remove();
  });
  await plant(store);
  const indexKey = randomBytes(32);
  const legacyStreams = await legacyEmailReservationsExist(store);
  let next = 0;
  const commands = new CustomerCommands({
    store,
    clock: () => new Date(),
    newCustomerId: () => `cus_${(next += 1)}`,
    newAddressId: () => "cuaddr_1",
    logger: silentLogger,
    reservationGraceMs: 60_000,
    emails: customerEmailReservations({ indexKey, legacyStreams }),
  });
  const types = async (stream: string) => (await store.readStream(stream)).map((event) => [event.type, (event.data as { customer_id: string }).customer_id]);
  return { store, commands, legacyStreams, own: (email: string) => emailReservationStreamName(indexKey, email, false), types };
}

t.test("legacy streams are found at start-up, and only legacy streams", async (t) => {
  const empty = await setUp(t, async () => undefined);
  t.equal(empty.legacyStreams, false, "an empty store holds none");
  await empty.commands.create({ email: "new@example.com" }, context);
  t.equal(await legacyEmailReservationsExist(empty.store), false, "a reservation made now is not one");
  const old = await setUp(t, (store) => plantLegacyCustomer(store, "cus_A", "a@example.com"));
  t.equal(old.legacyStreams, true);
});

t.test("an email a legacy stream holds stays taken; its release goes to the email's own stream, which then decides", async (t) => {
  const email = "held@example.com";
  const { store, commands, own, types } = await setUp(t, (store) => plantLegacyCustomer(store, "cus_A", email));
  const legacy = legacyEmailReservationStreamName(email, false);

  await t.rejects(commands.create({ email }, context), EmailAlreadyTaken, "the legacy holder is alive: taken");
  t.same(await store.readStream(own(email)), [], "a refusal writes nothing");

  await commands.delete("cus_A", context);
  t.same(await types(own(email)), [["CustomerEmailReleased", "cus_A"]], "the release starts the email's own stream");

  const created = await commands.create({ email }, context);
  t.same(await types(own(email)), [
    ["CustomerEmailReleased", "cus_A"],
    ["CustomerEmailReserved", created.id],
  ]);
  await t.rejects(commands.create({ email }, context), EmailAlreadyTaken, "the new holder is protected by the email's own stream");
  t.same(await types(legacy), [["CustomerEmailReserved", "cus_A"]], "the legacy stream was never written");
});

t.test("changing an email a legacy stream holds releases it into the email's own stream", async (t) => {
  const { store, commands, own, types } = await setUp(t, (store) => plantLegacyCustomer(store, "cus_A", "before@example.com"));

  await commands.update("cus_A", { email: "after@example.com" }, context);
  t.same(await types(own("before@example.com")), [["CustomerEmailReleased", "cus_A"]]);
  t.same(await types(own("after@example.com")), [["CustomerEmailReserved", "cus_A"]]);
  const reclaimed = await commands.create({ email: "before@example.com" }, context);
  t.equal(reclaimed.revision, 0, "the old email is free again");
  t.equal((await store.readStream(legacyEmailReservationStreamName("before@example.com", false))).length, 1, "the legacy stream was never written");
});

t.test("with legacy streams in the store, 16 concurrent creates of an email nobody holds make one customer", async (t) => {
  const email = "race@example.com";
  const { store, commands, own, types } = await setUp(t, (store) => plantLegacyCustomer(store, "cus_A", "someone.else@example.com"));

  const outcomes = await Promise.allSettled(Array.from({ length: 16 }, () => commands.create({ email }, context)));
  const created = outcomes.filter((outcome) => outcome.status === "fulfilled");
  const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  t.equal(created.length, 1, "exactly one create succeeds");
  t.ok(refused.every((outcome) => outcome.reason instanceof EmailAlreadyTaken), "the others are told the email is taken");
  t.same(await types(own(email)), [["CustomerEmailReserved", created[0]!.value.id]], "one reservation, in the email's own stream");
  t.same(await store.readStream(legacyEmailReservationStreamName(email, false)), [], "no legacy stream is made");
});
