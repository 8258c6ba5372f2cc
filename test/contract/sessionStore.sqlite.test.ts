import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import t from "tap";
import { SqliteSessionStore } from "../../shared/sessions/sqlite.js";
import { sessionStoreContract } from "./sessionStore.contract.js";

const dir = mkdtempSync(join(tmpdir(), "sessions-sqlite-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

sessionStoreContract(t, async () => {
  const file = join(dir, `${randomUUID()}.sqlite`);
  const store = new SqliteSessionStore(file);
  return { store, reopen: async () => new SqliteSessionStore(file), cleanup: () => store.close() };
});
