/**
 * Stop and start on the same data: customers are still there and still own their emails,
 * and the read model picks up where it stopped.
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import { join } from "node:path";
import { customerStreamName } from "../../shared/customers/customer.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { SqliteReadModel } from "../../shared/readmodel/sqlite.js";
import { READ_MODEL_FILE } from "../../shared/runtime/adapters.js";
import { eventToAppend } from "../support/events.js";
import { makeDataDir, startTestService } from "../support/service.js";

t.test("customers and their email reservations survive a restart", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const email = `restart.${randomUUID()}@example.com`;

  const first = await startTestService({ dataDir: data.dir });
  const created = [];
  created.push((await first.request("POST", "/admin/customers", { body: { email, metadata: { k: "v" } } })).json.customer);
  for (let i = 0; i < 20; i += 1) {
    created.push((await first.request("POST", "/admin/customers", { body: { first_name: `n${i}` } })).json.customer);
  }
  await first.stop();

  const second = await startTestService({ dataDir: data.dir });
  t.teardown(() => second.stop());
  for (const customer of created) {
    const res = await second.request("GET", `/admin/customers/${customer.id}`);
    t.same([res.status, res.json.customer], [200, customer]);
  }
  const duplicate = await second.request("POST", "/admin/customers", { body: { email } });
  t.same([duplicate.status, duplicate.json.message], [400, `Customer with email: ${email}, has_account: false, already exists.`]);
  t.equal((await second.request("POST", "/admin/customers", { body: { email: `new.${email}` } })).status, 200);
});

t.test("the read model is kept on disk and resumes from its position: events written while the service was down are projected at start", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const first = await startTestService({ dataDir: data.dir });
  const customer = (await first.request("POST", "/admin/customers", { body: { first_name: "Before" } })).json.customer;
  await first.stop();

  const readModel = new SqliteReadModel(join(data.dir, READ_MODEL_FILE));
  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  const position = await readModel.projectedPosition();
  t.equal(position, await store.headPosition({ streamPrefixes: ["customer-"] }), "the read model recorded the last event it projected");
  await readModel.close();
  // Written by another process while the service was down (a crash before projecting has the same effect).
  const updated = { ...eventToAppend("CustomerUpdated", { id: customer.id, changes: { first_name: "While down" }, updated_at: new Date().toISOString() }) };
  await store.appendToStream(customerStreamName(customer.id), [updated], { expectedRevision: 0 });
  await store.close();

  const second = await startTestService({ dataDir: data.dir });
  t.teardown(() => second.stop());
  const res = await second.request("GET", `/admin/customers/${customer.id}`);
  t.equal(res.json.customer.first_name, "While down", "the event written meanwhile is in the read model as soon as the service answers");
});
