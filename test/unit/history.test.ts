/**
 * Long histories: a page deep in a stream folds from the nearest checkpoint, not from the
 * stream's start, answers exactly what a fold from the start answers, and gives the event loop
 * back between reads of the store.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import t, { type Test } from "tap";
import type { CommandContext } from "../../shared/application/context.js";
import { CustomerCommands } from "../../shared/application/customerCommands.js";
import { FoldCheckpoints } from "../../shared/application/foldCheckpoints.js";
import { EntityHistory, type HistoryRange } from "../../shared/application/history.js";
import { customerEmailReservations } from "../../shared/application/reservations.js";
import type { EventStore } from "../../shared/eventstore/port.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { silentLogger } from "../../shared/logger.js";
import { makeDataDir } from "../support/service.js";

const context: CommandContext = { actor: { id: "user_1", type: "user" }, correlationId: "c", causationId: "c" };
const CHANGES = 600;

async function setUp(t: Test) {
  const data = makeDataDir();
  const sqlite = new SqliteEventStore(join(data.dir, "events.sqlite"));
  t.teardown(async () => {
    await sqlite.close();
    data.remove();
  });
  const commands = new CustomerCommands({
    store: sqlite,
    clock: () => new Date(),
    newCustomerId: () => "cus_long",
    newAddressId: () => "cuaddr_1",
    logger: silentLogger,
    reservationGraceMs: 60_000,
    emails: customerEmailReservations({ indexKey: randomBytes(32), legacyStreams: false }),
  });
  await commands.create({ first_name: "v0", email: "long@example.com" }, context);
  await commands.addAddress("cus_long", { city: "c0" }, context);
  for (let i = 2; i < CHANGES; i++) {
    if (i % 3 === 0) await commands.updateAddress("cus_long", "cuaddr_1", { city: `c${i}` }, context);
    else await commands.update("cus_long", { first_name: `v${i}`, metadata: { i } }, context);
  }
  const read = { events: 0 };
  const counting = {
    streamRevision: (stream) => sqlite.streamRevision(stream),
    readStream: async (stream, options) => {
      const events = await sqlite.readStream(stream, options);
      read.events += events.length;
      return events;
    },
  } as Pick<EventStore, "streamRevision" | "readStream"> as EventStore;
  return { store: sqlite, counting, read };
}

const range = (over: Partial<HistoryRange>): HistoryRange => ({ offset: 0, limit: 50, order: "descending", ...over });

t.test("a page folds from the latest checkpoint before it and answers what a fold from the start answers", async (t) => {
  const { store, counting, read } = await setUp(t);
  const ranges = [range({}), range({ to: 400 }), range({ offset: 300 }), range({ order: "ascending", from: 513, limit: 3 }), range({ order: "ascending" }), range({ from: 599 }), range({ to: 255, limit: 1 })];

  const warm = new EntityHistory(counting);
  const first = await warm.customer("cus_long", ranges[0]!);
  t.equal(first?.count, CHANGES);
  t.equal(read.events, CHANGES, "the first read folds the whole stream");
  read.events = 0;
  const again = await warm.customer("cus_long", ranges[0]!);
  t.same(again, first);
  t.ok(read.events <= 256 + 50, `the next read of the newest page folds from a checkpoint (${read.events} events read)`);

  for (const asked of ranges) {
    // A history with no checkpoints yet folds every page from the stream's start.
    const fromStart = await new EntityHistory(store).customer("cus_long", asked);
    t.same(await warm.customer("cus_long", asked), fromStart, `the same entries for ${JSON.stringify(asked)}`);
  }
});

t.test("a long fold gives the event loop back between reads of the store", async (t) => {
  const { store } = await setUp(t);
  const order: string[] = [];
  const reading = new EntityHistory(store).customer("cus_long", range({})).then(() => order.push("history read"));
  setImmediate(() => order.push("another request's turn"));
  await reading;
  t.same(order, ["another request's turn", "history read"]);
});

t.test("checkpoints stay within their bound, the least recently read stream first out", async (t) => {
  const checkpoints = new FoldCheckpoints({ every: 10, maxCheckpoints: 4 });
  t.same([checkpoints.isCheckpoint(9), checkpoints.isCheckpoint(10)], [true, false]);
  checkpoints.keep("a", 9, "a9");
  checkpoints.keep("a", 19, "a19");
  checkpoints.keep("b", 9, "b9");
  checkpoints.keep("b", 19, "b19");
  t.same(checkpoints.before("a", 25), { revision: 19, state: "a19" }, "the latest before the revision");
  t.same(checkpoints.before("a", 19), { revision: 9, state: "a9" }, "strictly before it");
  t.equal(checkpoints.before("a", 9), undefined);
  checkpoints.keep("c", 9, "c9");
  t.equal(checkpoints.size, 3, "b, read least recently, went out whole");
  t.equal(checkpoints.before("b", 30), undefined);
  t.same(checkpoints.before("c", 30), { revision: 9, state: "c9" });
});
