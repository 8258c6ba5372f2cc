import t from "tap";
import { StreamStateCache } from "../../shared/eventstore/streamStateCache.js";

t.test("keeps the newest state of a stream, by revision", async (t) => {
  const cache = new StreamStateCache({ maxBytes: 100_000 });
  cache.set("customer", "customer-1", { revision: 3, state: { v: 3 } });
  cache.set("customer", "customer-1", { revision: 2, state: { v: 2 } });
  t.same(cache.get("customer", "customer-1"), { revision: 3, state: { v: 3 } }, "an older state does not replace a newer one");
  cache.set("customer", "customer-1", { revision: 4, state: { v: 4 } });
  t.same(cache.get("customer", "customer-1"), { revision: 4, state: { v: 4 } });
  t.equal(cache.get("customer-group", "customer-1"), undefined, "states of other kinds are apart");
  cache.delete("customer", "customer-1");
  t.equal(cache.get("customer", "customer-1"), undefined);
  t.equal(cache.stats().bytes, 0, "a deleted entry gives its bytes back");
});

t.test("stays within its byte budget, dropping the least recently used first", async (t) => {
  const state = { text: "x".repeat(1000) };
  const cache = new StreamStateCache({ maxBytes: 10_000 });
  for (let i = 0; i < 4; i += 1) cache.set("k", `s-${i}`, { revision: 0, state });
  t.ok(cache.get("k", "s-0"), "s-0 is used, so s-1 is now the oldest");
  cache.set("k", "s-4", { revision: 0, state });
  cache.set("k", "s-5", { revision: 0, state });
  const stats = cache.stats();
  t.ok(stats.bytes <= stats.maxBytes, `within budget (${stats.bytes} of ${stats.maxBytes})`);
  t.ok(cache.get("k", "s-0"), "the recently used entry stays");
  t.equal(cache.get("k", "s-1"), undefined, "the least recently used entry went first");
  t.ok(cache.get("k", "s-5"), "the newest entry is there");
});

t.test("a state larger than the whole budget is not kept", async (t) => {
  const cache = new StreamStateCache({ maxBytes: 1000 });
  cache.set("k", "small", { revision: 0, state: { a: 1 } });
  cache.set("k", "huge", { revision: 0, state: { text: "x".repeat(5000) } });
  t.equal(cache.get("k", "huge"), undefined);
  t.ok(cache.get("k", "small"), "and does not push out what is there");
});
