/**
 * The subscriber kit's durable dedupe record on a real MongoDB-wire server: ids are found
 * from another handle (another process of the group), recording one twice is harmless, and
 * ids older than the retention are swept so the collection does not grow with the topic.
 */
import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import t from "tap";
import { MongoProcessedEvents } from "../../shared/subscriber/mongoProcessedEvents.js";
import { mongodbUrl, requireServers } from "../support/cluster.js";

if (requireServers(t, "MongoDB processed-events suite", ["mongodb"])) {
  t.test("ids are shared across handles, recorded once, and swept after the retention", async (t) => {
    const client = await MongoClient.connect(mongodbUrl, { serverSelectionTimeoutMS: 5000 });
    const database = client.db(`processed_${randomUUID().replaceAll("-", "").slice(0, 12)}`);
    t.teardown(async () => {
      await database.dropDatabase();
      await client.close();
    });
    let now = new Date("2026-12-01T00:00:00.000Z");
    const clock = () => now;
    const first = new MongoProcessedEvents(database, { retentionMs: 60_000, sweepEveryMs: 0, clock });
    const second = new MongoProcessedEvents(database, { retentionMs: 60_000, sweepEveryMs: 0, clock });
    t.teardown(async () => {
      await first.close();
      await second.close();
    });
    await first.add("e-old");
    await first.add("e-old");
    t.equal(await second.has("e-old"), true, "another handle sees it; adding twice is harmless");
    t.equal(await second.has("e-never"), false);
    now = new Date(now.getTime() + 61_000);
    await first.add("e-new");
    t.equal(await second.prune(), 1, "one id past the retention");
    t.equal(await first.has("e-old"), false, "swept");
    t.equal(await first.has("e-new"), true, "the recent one stays");
  });
}
