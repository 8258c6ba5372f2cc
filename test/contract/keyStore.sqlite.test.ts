import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { masterKey } from "../../shared/crypto/masterKey.js";
import { KeyStore } from "../../shared/keystore/keyStore.js";
import { SqliteKeyRecords } from "../../shared/keystore/sqlite.js";
import { keyStoreContract } from "./keyStore.contract.js";

keyStoreContract(t, async () => {
  const dir = mkdtempSync(join(tmpdir(), "customers-keys-"));
  const file = join(dir, "keys.sqlite");
  const records = new SqliteKeyRecords(file);
  const others: SqliteKeyRecords[] = [];
  return {
    records,
    reopen: async () => {
      const other = new SqliteKeyRecords(file);
      others.push(other);
      return other;
    },
    cleanup: async () => {
      await records.close().catch(() => undefined);
      for (const other of others) await other.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

t.test("a destroyed key's wrapped bytes are nowhere in the file or its write-ahead log", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "customers-keys-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "keys.sqlite");
  const records = new SqliteKeyRecords(file);
  const store = new KeyStore({ records, master: masterKey(randomBytes(32)) });
  await store.obtain("cus_scan");
  const wrapped = (await records.read("cus_scan"))!.wrapped!;
  const raw = () => [file, `${file}-wal`].map((path) => { try { return readFileSync(path).toString("latin1"); } catch { return ""; } }).join("");
  t.ok(raw().includes(wrapped), "before: the wrapped key is in the files (the scan can find it)");
  await store.destroy("cus_scan");
  t.notOk(raw().includes(wrapped), "after: gone from the database file and the WAL");
  await store.close();
});
