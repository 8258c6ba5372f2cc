/**
 * Rebuilding the read model from the event store gives what the live one held: the fold of
 * the store equals the live answers, and so does a fresh start (which rebuilds it).
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import t from "tap";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { shapeCustomer } from "../../shared/http/customers/routes.js";
import { foldCustomers } from "../../shared/readmodel/convergence.js";
import { makeDataDir, startTestService } from "../support/service.js";

t.test("the read model rebuilt from the events equals the live one", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const live = await startTestService({ dataDir: data.dir });
  const ids: string[] = [];
  for (let i = 0; i < 12; i += 1) {
    const res = await live.request("POST", "/admin/customers", { body: { email: `replay.${i}.${randomUUID()}@example.com`, first_name: `n${i}`, metadata: { i } } });
    ids.push(res.json.customer.id);
  }
  for (const [index, id] of ids.entries()) {
    if (index % 3 === 0) await live.request("POST", `/admin/customers/${id}`, { body: { last_name: "Updated", metadata: { i: "", extra: true } } });
    if (index % 4 === 1) await live.request("POST", `/admin/customers/${id}`, { body: { email: null } });
    if (index % 5 === 2) await live.request("DELETE", `/admin/customers/${id}`);
  }
  const answers = new Map<string, unknown>();
  for (const id of ids) {
    const res = await live.request("GET", `/admin/customers/${id}`);
    answers.set(id, res.status === 200 ? res.json.customer : 404);
  }
  const listed = (await live.request("GET", "/admin/customers?limit=100")).json;
  await live.stop();

  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  const folded = await foldCustomers(store);
  await store.close();
  for (const id of ids) {
    const document = folded.get(id)!;
    t.same(document.deleted_at === null ? shapeCustomer(document, undefined) : 404, answers.get(id), `fold of ${id}`);
  }

  const rebuilt = await startTestService({ dataDir: data.dir });
  t.teardown(() => rebuilt.stop());
  for (const id of ids) {
    const res = await rebuilt.request("GET", `/admin/customers/${id}`);
    t.same(res.status === 200 ? res.json.customer : 404, answers.get(id), `rebuilt ${id}`);
  }
  t.same((await rebuilt.request("GET", "/admin/customers?limit=100")).json, listed, "the list is the same too");
});
