/**
 * The checkpoint store contract: every adapter runs this suite. Names are unique per test so
 * the suite can run against a server that keeps its data.
 */
import { randomUUID } from "node:crypto";
import type { Test } from "tap";
import type { CheckpointStore } from "../../shared/checkpoints/port.js";

export interface OpenedCheckpointStore {
  store: CheckpointStore;
  close(): Promise<void>;
}

export interface CheckpointStoreFixture {
  /** Opens the store for `name`; opening the same name again must see what was saved. */
  open(name: string): Promise<OpenedCheckpointStore>;
  /** Set when saves are not meant to outlive the store (in memory): the re-open check is skipped. */
  notDurable?: string;
}

export function checkpointStoreContract(t: Test, fixture: CheckpointStoreFixture): void {
  const opened: OpenedCheckpointStore[] = [];
  const open = async (name: string) => {
    const store = await fixture.open(name);
    opened.push(store);
    return store.store;
  };
  const uniqueName = () => `contract-${randomUUID().slice(0, 8)}`;
  t.afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  t.test("a name never saved has no checkpoint", async (t) => {
    t.equal(await (await open(uniqueName())).load(), undefined);
  });

  t.test("load returns what was saved", async (t) => {
    const store = await open(uniqueName());
    await store.save("42/42");
    t.equal(await store.load(), "42/42");
  });

  t.test("the latest save wins, also after more saves than are kept", async (t) => {
    const store = await open(uniqueName());
    for (let n = 1; n <= 8; n += 1) await store.save(`${n * 100}/${n * 100}`);
    t.equal(await store.load(), "800/800");
  });

  t.test("names do not share a checkpoint", async (t) => {
    const a = await open(uniqueName());
    const b = await open(uniqueName());
    await a.save("7/7");
    t.equal(await b.load(), undefined);
    t.equal(await a.load(), "7/7");
  });

  t.test("a checkpoint survives closing and re-opening the store", { skip: fixture.notDurable }, async (t) => {
    const name = uniqueName();
    const first = await fixture.open(name);
    await first.store.save("9/8");
    await first.close();
    const second = await open(name);
    t.equal(await second.load(), "9/8");
  });
}
