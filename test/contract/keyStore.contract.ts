/**
 * The key store's contract, over each key-records adapter (SQLite, MongoDB): a subject's data
 * key is created once and is the same from every handle; destroying it leaves a tombstone
 * that no later use can bring back (also for a subject that never had a key); a record
 * wrapped with another master key says so; and the wrapped key is bound to its subject.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Test } from "tap";
import { masterKey } from "../../shared/crypto/masterKey.js";
import { DataKeyDestroyed, KeyStore, WrongMasterKey } from "../../shared/keystore/keyStore.js";
import type { KeyRecords } from "../../shared/keystore/port.js";

export interface KeyRecordsFixture {
  records: KeyRecords;
  /** A second handle on the same storage, as another process would have. */
  reopen(): Promise<KeyRecords>;
  cleanup(): Promise<void>;
}

export function keyStoreContract(t: Test, makeFixture: () => Promise<KeyRecordsFixture>): void {
  const master = masterKey(randomBytes(32));
  let fixture: KeyRecordsFixture;
  t.beforeEach(async () => {
    fixture = await makeFixture();
  });
  t.afterEach(() => fixture.cleanup());

  t.test("a subject's key is created on first use, once, and every handle gets the same", async (t) => {
    const store = new KeyStore({ records: fixture.records, master });
    const other = new KeyStore({ records: await fixture.reopen(), master });
    t.teardown(() => other.close());
    const subject = `cus_${randomUUID()}`;
    t.same(await store.lookup(subject), { state: "absent" });
    const [a, b] = await Promise.all([store.obtain(subject), other.obtain(subject)]);
    t.equal(a.length, 32);
    t.same(a, b, "two handles creating at once agree on one key");
    t.same(await other.obtain(subject), a, "and keep it");
    t.notSame(await store.obtain(`cus_${randomUUID()}`), a, "another subject, another key");
    const record = await fixture.records.read(subject);
    t.notOk(record!.wrapped!.includes(a.toString("base64url")), "stored wrapped, not as is");
  });

  t.test("many subjects created at once (one batch where the adapter batches) each get a key of their own, kept for every handle", async (t) => {
    const store = new KeyStore({ records: fixture.records, master });
    const subjects = Array.from({ length: 50 }, () => `cus_${randomUUID()}`);
    const keys = await Promise.all([...subjects, ...subjects].map((subject) => store.obtain(subject)));
    t.equal(new Set(keys.slice(0, 50).map((key) => key.toString("hex"))).size, 50, "one key per subject");
    t.same(keys.slice(50), keys.slice(0, 50), "the same subject twice in one go: one key");
    const other = new KeyStore({ records: await fixture.reopen(), master });
    t.teardown(() => other.close());
    t.same(await Promise.all(subjects.map((subject) => other.obtain(subject))), keys.slice(0, 50), "stored: another handle reads the same keys");
  });

  t.test("a tombstone once seen is not asked for again (an erased customer's long history reads it once)", async (t) => {
    let reads = 0;
    const records = fixture.records;
    const counting: KeyRecords = { ...records, insertIfAbsent: (r) => records.insertIfAbsent(r), destroy: (...a) => records.destroy(...a), close: () => records.close(), read: (subject) => ((reads += 1), records.read(subject)) };
    const store = new KeyStore({ records: counting, master });
    const subject = `cus_${randomUUID()}`;
    await store.obtain(subject);
    await store.destroy(subject);
    reads = 0;
    for (let i = 0; i < 100; i += 1) t.equal((await store.lookup(subject)).state, "destroyed");
    t.equal(reads, 1, "one read of the key records for 100 lookups");
  });

  t.test("destroying leaves a tombstone: the key is gone for every handle and is never created again", async (t) => {
    const store = new KeyStore({ records: fixture.records, master, cache: { ttlMs: 0 } });
    const other = new KeyStore({ records: await fixture.reopen(), master, cache: { ttlMs: 0 } });
    t.teardown(() => other.close());
    const subject = `cus_${randomUUID()}`;
    await store.obtain(subject);
    t.equal(await store.destroy(subject), true, "a live key was destroyed");
    t.match(await other.lookup(subject), { state: "destroyed" });
    await t.rejects(other.obtain(subject), DataKeyDestroyed, "no new key for an erased subject");
    t.equal(await store.destroy(subject), false, "destroying again changes nothing");
    t.equal((await fixture.records.read(subject))!.wrapped, null);

    const never = `cus_${randomUUID()}`;
    t.equal(await store.destroy(never), false, "a subject without a key");
    await t.rejects(store.obtain(never), DataKeyDestroyed, "gets a tombstone all the same");
  });

  t.test("records wrapped with another master key say so; a wrapped key moved to another subject does not open", async (t) => {
    const store = new KeyStore({ records: fixture.records, master });
    const subject = `cus_${randomUUID()}`;
    await store.obtain(subject);
    const stranger = new KeyStore({ records: await fixture.reopen(), master: masterKey(randomBytes(32)) });
    t.teardown(() => stranger.close());
    await t.rejects(stranger.lookup(subject), WrongMasterKey);

    const moved = `cus_${randomUUID()}`;
    await fixture.records.insertIfAbsent({ ...(await fixture.records.read(subject))!, subject: moved });
    await t.rejects(new KeyStore({ records: fixture.records, master }).lookup(moved), /does not open/);
  });
}
