/**
 * The embedded read model scans a filtered list a slice at a time: other work runs between
 * slices, and writes made meanwhile neither skip nor repeat a document of the scan.
 */
import t from "tap";
import { InMemoryReadModel } from "../../shared/readmodel/inMemory.js";
import { customerDocument } from "../support/documents.js";
import { where } from "../../shared/readmodel/query.js";

const id = (n: number) => `cus_${String(n).padStart(6, "0")}`;

async function filled(count: number): Promise<InMemoryReadModel> {
  const readModel = new InMemoryReadModel();
  await readModel.customers.save(Array.from({ length: count }, (_, n) => ({ document: customerDocument({ id: id(n * 2), first_name: "Scan" }), previousRevision: null })));
  return readModel;
}

const everyScan = { filter: where.eq("first_name", "Scan"), sort: { field: "id", direction: 1 as const }, skip: 0, limit: 10_000 };

t.test("other work runs while a long filtered list is scanned", async (t) => {
  const readModel = await filled(5000);
  let ranMeanwhile = false;
  const listed = readModel.customers.list(everyScan).then((page) => ({ page, ranMeanwhile }));
  setImmediate(() => (ranMeanwhile = true));
  const result = await listed;
  t.equal(result.page.count, 5000);
  t.ok(result.ranMeanwhile, "a turn of the event loop came between slices");
});

t.test("writes made while a list is scanned neither skip nor repeat a document", async (t) => {
  const readModel = await filled(5000);
  const listed = readModel.customers.list(everyScan);
  // New documents whose ids fall between the scanned ones, while the scan is under way.
  for (let n = 0; n < 50; n += 1) await readModel.customers.save([{ document: customerDocument({ id: id(n * 2 + 1), first_name: "Scan" }), previousRevision: null }]);
  const page = await listed;
  const ids = page.documents.map((customer) => customer.id);
  t.equal(new Set(ids).size, ids.length, "no document twice");
  t.equal(page.count, ids.length);
  t.ok(ids.includes(id(0)) && ids.includes(id(9998)), "the first and the last are there");
  t.same(ids, [...ids].sort(), "in id order");
});
