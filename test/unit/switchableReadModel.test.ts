/**
 * Readers of a read model that switches generations: each call goes to the generation
 * serving at that moment, and a wait for a revision moves with the switch.
 */
import t from "tap";
import { InMemoryReadModel } from "../../shared/readmodel/inMemory.js";
import { SwitchableReadModel } from "../../shared/readmodel/switchable.js";
import { customerDocument } from "../support/documents.js";

const customer = (id: string, revision: number, first_name: string) => customerDocument({ id, revision, first_name });

t.test("reads go to the generation serving when they are made", async (t) => {
  const old = new InMemoryReadModel();
  const rebuilt = new InMemoryReadModel();
  await old.customers.save([{ document: customer("cus_1", 0, "old"), previousRevision: null }]);
  await rebuilt.customers.save([{ document: customer("cus_1", 1, "rebuilt"), previousRevision: null }]);
  const readModel = new SwitchableReadModel(old);
  t.equal((await readModel.customers.get("cus_1"))?.first_name, "old");
  t.equal(readModel.switchTo(rebuilt), old, "the switch hands back the generation it replaces");
  t.equal((await readModel.customers.get("cus_1"))?.first_name, "rebuilt");
  t.same(await readModel.customers.ids(), ["cus_1"]);
});

t.test("a wait running when the switch comes is answered by the new generation", async (t) => {
  const old = new InMemoryReadModel();
  const rebuilt = new InMemoryReadModel();
  const readModel = new SwitchableReadModel(old);
  const waiting = readModel.customers.waitFor("cus_2", 3, 2_000);
  readModel.switchTo(rebuilt);
  // Only the new generation gets the document; the old one is no longer kept up to date.
  await rebuilt.customers.save([{ document: customer("cus_2", 3, "arrived"), previousRevision: null }]);
  const started = Date.now();
  t.equal((await waiting)?.first_name, "arrived");
  t.ok(Date.now() - started < 1_000, "without waiting out the time");
  t.equal(await readModel.customers.waitFor("cus_3", 0, 50), null, "a wait still runs out");
});

t.test("a generation is idle once the calls made on it before the switch have finished", async (t) => {
  const old = new InMemoryReadModel();
  const readModel = new SwitchableReadModel(old);
  let finish!: () => void;
  const slow = new Promise<void>((resolve) => (finish = resolve));
  const get = old.customers.get.bind(old.customers);
  old.customers.get = async (id) => {
    await slow;
    return get(id);
  };
  const reading = readModel.customers.get("cus_1");
  readModel.switchTo(new InMemoryReadModel());
  let idle = false;
  const becameIdle = readModel.idle(old).then(() => (idle = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(idle, false, "not while a read on it runs");
  finish();
  await reading;
  await becameIdle;
  t.equal(idle, true);
  await readModel.idle(old);
  t.pass("and at once when nothing runs on it");
});
