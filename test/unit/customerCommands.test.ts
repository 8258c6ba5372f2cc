/**
 * What a customer write asks of the event store: a create with a new email is one write
 * across the reservation and customer streams, with no read before it; an email already
 * reserved is read and decided on, and comes back as taken.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import t, { type Test } from "tap";
import { CustomerCommands } from "../../shared/application/customerCommands.js";
import type { CommandContext } from "../../shared/application/context.js";
import { customerEmailReservations } from "../../shared/application/reservations.js";
import { EmailAlreadyTaken } from "../../shared/customers/errors.js";
import type { EventStore } from "../../shared/eventstore/port.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { silentLogger } from "../../shared/logger.js";
import { makeDataDir } from "../support/service.js";

const context: CommandContext = { actor: { id: "user_1", type: "user" }, correlationId: "c", causationId: "c" };

function setUp(t: Test) {
  const data = makeDataDir();
  const sqlite = new SqliteEventStore(join(data.dir, "events.sqlite"));
  t.teardown(async () => {
    await sqlite.close();
    data.remove();
  });
  const asked = { reads: [] as string[], writes: [] as string[][] };
  const store: EventStore = Object.create(sqlite);
  store.readStream = (stream, options) => {
    asked.reads.push(stream);
    return sqlite.readStream(stream, options);
  };
  store.appendToStream = (stream, events, options) => {
    asked.writes.push([stream]);
    return sqlite.appendToStream(stream, events, options);
  };
  store.appendToStreams = (appends) => {
    asked.writes.push(appends.map((append) => append.stream));
    return sqlite.appendToStreams(appends);
  };
  let next = 0;
  const commands = new CustomerCommands({
    store,
    clock: () => new Date(),
    newCustomerId: () => `cus_${(next += 1)}`,
    newAddressId: () => "cuaddr_1",
    logger: silentLogger,
    reservationGraceMs: 60_000,
    emails: customerEmailReservations({ indexKey: randomBytes(32), legacyStreams: false }),
  });
  return { commands, asked };
}

t.test("a create with a new email: one write of both streams, nothing read first", async (t) => {
  const { commands, asked } = setUp(t);
  const written = await commands.create({ email: "new@example.com" }, context);
  t.equal(written.revision, 0);
  t.same(asked.reads, [], "no read");
  t.equal(asked.writes.length, 1, "one write");
  t.match(asked.writes[0], [/^customer_email/, "customer-cus_1"], "the reservation and the customer together");
});

t.test("a create with an email in use reads its reservation and answers taken, writing nothing", async (t) => {
  const { commands, asked } = setUp(t);
  await commands.create({ email: "taken@example.com" }, context);
  asked.reads.length = 0;
  asked.writes.length = 0;
  await t.rejects(commands.create({ email: "taken@example.com" }, context), EmailAlreadyTaken);
  t.equal(asked.writes.length, 1, "the guess that the email is new lost, and was not repeated");
  t.match(asked.reads, [/^customer_email/], "then the reservation was read");
});
