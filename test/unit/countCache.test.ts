/**
 * The read model's remembered counts: read once while nothing changes, by one reading however
 * many lists ask at once, and never used after a change.
 */
import t from "tap";
import { CountCache } from "../../shared/readmodel/countCache.js";

t.test("lists asking at once share one reading; the count is then remembered", async (t) => {
  const counts = new CountCache();
  let readings = 0;
  let finish!: (count: number) => void;
  const read = () => {
    readings += 1;
    return new Promise<number>((resolve) => (finish = resolve));
  };
  const asked = Array.from({ length: 16 }, () => counts.count("q=example", read));
  finish(100_000);
  t.same(await Promise.all(asked), Array(16).fill(100_000));
  t.equal(readings, 1, "one reading for sixteen lists");
  t.equal(await counts.count("q=example", read), 100_000);
  t.equal(readings, 1, "remembered");
});

t.test("a change forgets every count, and a count read across a change is not remembered", async (t) => {
  const counts = new CountCache();
  let readings = 0;
  const read = async () => {
    readings += 1;
    return readings;
  };
  t.equal(await counts.count("all", read), 1);
  counts.changed();
  t.equal(await counts.count("all", read), 2, "read again after the change");

  let finish!: (count: number) => void;
  const racing = counts.count("racing", () => new Promise<number>((resolve) => (finish = resolve)));
  counts.changed();
  const after = counts.count("racing", async () => 7);
  finish(6);
  t.equal(await racing, 6, "the list that asked before the change gets what it read");
  t.equal(await after, 7, "a list after the change does not join a reading from before it");
  t.equal(counts.get("racing"), 7);
});

t.test("a failed reading is not remembered, and the next list reads again", async (t) => {
  const counts = new CountCache();
  await t.rejects(counts.count("k", async () => Promise.reject(new Error("unavailable"))), /unavailable/);
  t.equal(await counts.count("k", async () => 3), 3);
});
