/**
 * Several processes writing one SQLite event store file (the cluster on one machine): two
 * stores, each committing on a writer thread of its own, append at once. Every write must
 * wait for the other's lock rather than fail with "database is locked".
 */
import { join } from "node:path";
import t from "tap";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { eventToAppend } from "../support/events.js";
import { makeDataDir } from "../support/service.js";

t.test("two writers on one file: every append lands", async (t) => {
  const data = makeDataDir();
  const file = join(data.dir, "events.sqlite");
  const stores = [new SqliteEventStore(file, { writerThread: true }), new SqliteEventStore(file, { writerThread: true })];
  t.teardown(async () => {
    for (const store of stores) await store.close();
    data.remove();
  });
  const failures: string[] = [];
  let landed = 0;
  await Promise.all(
    stores.map(async (store, n) => {
      for (let round = 0; round < 40; round++) {
        await Promise.all(
          Array.from({ length: 16 }, async (_, i) => {
            const stream = `customer-shared-${n}-${round}-${i}`;
            try {
              await store.appendToStream(stream, [eventToAppend("Happened", { n, round, i })], { expectedRevision: "no_stream" });
              await store.appendToStream(stream, [eventToAppend("Happened", { again: true })], { expectedRevision: 0 });
              landed += 2;
            } catch (error) {
              failures.push((error as Error).message);
            }
          }),
        );
      }
    }),
  );
  t.same(failures.slice(0, 3), [], "no write failed");
  t.equal(landed, 2 * 40 * 16 * 2);
  t.equal((await stores[0]!.readAll({ maxCount: 10_000 })).length, landed, "and every one is in the file");
});
