/**
 * The read-model contract: the in-memory adapter and the MongoDB adapter both run it.
 */
import { randomUUID } from "node:crypto";
import type { Test } from "tap";
import { type CustomerReadModel, ReadModelRevisionGap } from "../../shared/readmodel/port.js";
import { customerDocument } from "../support/documents.js";

export interface ReadModelFixture {
  readModel: CustomerReadModel;
  cleanup(): Promise<void>;
}

export function readModelContract(t: Test, makeFixture: () => Promise<ReadModelFixture>): void {
  let fixture: ReadModelFixture;
  let id: string;
  t.beforeEach(async () => {
    fixture = await makeFixture();
    id = `cus_${randomUUID()}`;
  });
  t.afterEach(async () => fixture.cleanup());

  t.test("stores a new document and reads it back", async (t) => {
    const document = customerDocument({ id, metadata: { a: { b: [1, 2] } } });
    t.equal(await fixture.readModel.saveCustomer(document, null), "saved");
    t.same(await fixture.readModel.getCustomer(id), document);
    t.equal(await fixture.readModel.getCustomer(`cus_${randomUUID()}`), null);
  });

  t.test("a revision already applied changes nothing", async (t) => {
    const { readModel } = fixture;
    await readModel.saveCustomer(customerDocument({ id, first_name: "First" }), null);
    await readModel.saveCustomer(customerDocument({ id, first_name: "Second", revision: 1 }), 0);
    t.equal(await readModel.saveCustomer(customerDocument({ id, first_name: "Replayed" }), null), "already-applied");
    t.equal(await readModel.saveCustomer(customerDocument({ id, first_name: "Again", revision: 1 }), 0), "already-applied");
    t.equal((await readModel.getCustomer(id))?.first_name, "Second");
  });

  t.test("a revision that skips one is refused", async (t) => {
    const { readModel } = fixture;
    await readModel.saveCustomer(customerDocument({ id }), null);
    await t.rejects(readModel.saveCustomer(customerDocument({ id, revision: 2 }), 1), ReadModelRevisionGap);
    t.equal((await readModel.getCustomer(id))?.revision, 0);
  });

  t.test("a batch of changes is saved at once; replays in it change nothing; a gap fails it", async (t) => {
    const { readModel } = fixture;
    const other = `${id}-b`;
    await readModel.saveCustomer(customerDocument({ id: other, first_name: "Stored" }), null);
    await readModel.saveCustomers([
      { document: customerDocument({ id, first_name: "New" }), previousRevision: null },
      { document: customerDocument({ id: other, first_name: "Replayed" }), previousRevision: null },
    ]);
    const both = await readModel.getCustomers([id, other, `${id}-missing`]);
    t.same([...both.keys()].sort(), [id, other].sort());
    t.equal(both.get(id)?.first_name, "New");
    t.equal(both.get(other)?.first_name, "Stored", "an insert of an existing document is a replay");
    await t.rejects(readModel.saveCustomers([{ document: customerDocument({ id, revision: 3 }), previousRevision: 2 }]), ReadModelRevisionGap);
    t.same(await readModel.getCustomers([]), new Map());
  });

  t.test("waiting resolves when the revision arrives, not before", async (t) => {
    const { readModel } = fixture;
    const waited = readModel.waitForCustomer(id, 1, 5000);
    let settled = false;
    void waited.then(() => (settled = true));
    await readModel.saveCustomer(customerDocument({ id }), null);
    await new Promise((resolve) => setTimeout(resolve, 20));
    t.notOk(settled, "revision 0 does not satisfy a wait for 1");
    await readModel.saveCustomer(customerDocument({ id, revision: 1, first_name: "Now" }), 0);
    t.equal((await waited)?.first_name, "Now");
  });

  t.test("waiting for a revision already there resolves at once", async (t) => {
    await fixture.readModel.saveCustomer(customerDocument({ id }), null);
    t.equal((await fixture.readModel.waitForCustomer(id, 0, 5000))?.id, id);
  });

  t.test("waiting gives up with null after the timeout", async (t) => {
    const started = Date.now();
    t.equal(await fixture.readModel.waitForCustomer(id, 0, 50), null);
    t.ok(Date.now() - started >= 45);
  });
}
