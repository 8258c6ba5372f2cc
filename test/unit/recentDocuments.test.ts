import t from "tap";
import { RecentDocuments } from "../../shared/readmodel/recentDocuments.js";

const doc = (id: string, revision: number, name = "x") => ({ id, revision, name });

t.test("keeps documents moving forward in revision only", async (t) => {
  const recent = new RecentDocuments<ReturnType<typeof doc>>(10, 1000, () => 0);
  recent.remember(doc("a", 2, "newer"));
  recent.remember(doc("a", 1, "older"));
  t.equal(recent.get("a")?.name, "newer");
  recent.remember(doc("a", 3, "newest"));
  t.equal(recent.get("a")?.name, "newest");
});

t.test("forgets an entry after its lifetime", async (t) => {
  let now = 0;
  const recent = new RecentDocuments<ReturnType<typeof doc>>(10, 1000, () => now);
  recent.remember(doc("a", 0));
  now = 1000;
  t.ok(recent.get("a"));
  now = 1001;
  t.equal(recent.get("a"), undefined);
});

t.test("holds at most maxDocuments, dropping the least recently stored", async (t) => {
  const recent = new RecentDocuments<ReturnType<typeof doc>>(2, 1000, () => 0);
  recent.remember(doc("a", 0));
  recent.remember(doc("b", 0));
  recent.remember(doc("a", 1));
  recent.remember(doc("c", 0));
  t.equal(recent.size, 2);
  t.equal(recent.get("b"), undefined);
  t.ok(recent.get("a"));
  t.ok(recent.get("c"));
});

t.test("a size or lifetime of 0 keeps nothing", async (t) => {
  const recent = new RecentDocuments<ReturnType<typeof doc>>(0, 1000);
  recent.remember(doc("a", 0));
  t.equal(recent.get("a"), undefined);
});
