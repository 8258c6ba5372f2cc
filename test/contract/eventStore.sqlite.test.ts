import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import t from "tap";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { eventStoreContract } from "./eventStore.contract.js";

const dir = mkdtempSync(join(tmpdir(), "es-sqlite-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

eventStoreContract(t, async () => {
  const store = new SqliteEventStore(join(dir, `${randomUUID()}.sqlite`));
  return { store, cleanup: () => store.close() };
});

t.test("events survive closing and reopening the file", async (t) => {
  const file = join(dir, "durable.sqlite");
  const first = new SqliteEventStore(file);
  const metadata = { event_id: randomUUID(), schema_version: 1, occurred_at: "x", correlation_id: "c", causation_id: "c", actor: { id: "u", type: "user" } };
  await first.appendToStream("s-1", [{ type: "Kept", data: { a: 1 }, metadata }], { expectedRevision: "no_stream" });
  await first.close();
  const second = new SqliteEventStore(file);
  t.same((await second.readStream("s-1")).map((e) => [e.type, e.data]), [["Kept", { a: 1 }]]);
  await t.rejects(second.appendToStream("s-1", [{ type: "Again", data: {}, metadata }], { expectedRevision: "no_stream" }));
  await second.close();
});

t.test("appends after close are refused, not lost silently", async (t) => {
  const store = new SqliteEventStore(join(dir, "closed.sqlite"));
  await store.close();
  await t.rejects(store.appendToStream("s", [], { expectedRevision: "any" }), { name: "EventStoreUnavailable" });
});
