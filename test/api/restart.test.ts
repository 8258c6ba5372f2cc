/**
 * Stop and start on the same data: customers are still there and still own their emails.
 */
import { randomUUID } from "node:crypto";
import t from "tap";
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
