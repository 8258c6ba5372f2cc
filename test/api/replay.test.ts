/**
 * Rebuilding the read model from the event store gives what the live one held: the fold of
 * the store equals the live answers, and so does a fresh start (which rebuilds it).
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import { Presenter, shapeCustomer } from "../../shared/http/presenters.js";
import { InProcessBus } from "../../shared/bus/inProcess.js";
import { toBusMessage } from "../../shared/events/envelope.js";
import { createLogger } from "../../shared/logging.js";
import { foldCustomers } from "../../shared/readmodel/convergence.js";
import { InMemoryReadModel } from "../../shared/readmodel/inMemory.js";
import { Projector } from "../../shared/readmodel/projector.js";
import { makeDataDir, startTestService } from "../support/service.js";
import { EVERYTHING } from "../../shared/readmodel/query.js";
import { openedEventStore } from "../support/openedStore.js";

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

  const store = await openedEventStore(data.dir);
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

t.test("groups and memberships: any order of streams rebuilds the same answers", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const live = await startTestService({ dataDir: data.dir });
  const group = async (name: string) => (await live.request("POST", "/admin/customer-groups", { body: { name } })).json.customer_group.id as string;
  const [vip, b2b, gone] = [await group(`VIP ${randomUUID()}`), await group(`B2B ${randomUUID()}`), await group(`Gone ${randomUUID()}`)];
  const customers: string[] = [];
  for (let i = 0; i < 6; i += 1) customers.push((await live.request("POST", "/admin/customers", { body: { first_name: `m${i}` } })).json.customer.id);
  await live.request("POST", `/admin/customer-groups/${vip}/customers`, { body: { add: customers.slice(0, 4) } });
  await live.request("POST", `/admin/customer-groups/${gone}/customers`, { body: { add: customers.slice(2) } });
  await live.request("POST", `/admin/customers/${customers[5]}/customer-groups`, { body: { add: [b2b, vip], remove: [gone] } });
  await live.request("POST", `/admin/customer-groups/${vip}/customers`, { body: { remove: [customers[0]] } });
  await live.request("POST", `/admin/customer-groups/${vip}`, { body: { name: `Gold ${randomUUID()}` } });
  await live.request("DELETE", `/admin/customer-groups/${gone}`);
  await live.request("DELETE", `/admin/customers/${customers[1]}`);

  const answers = async (service: typeof live) => ({
    customers: (await service.request("GET", "/admin/customers?limit=100&fields=id,*groups")).json,
    groups: (await service.request("GET", "/admin/customer-groups?limit=100&fields=id,name,*customers")).json,
    vipMembers: (await service.request("GET", `/admin/customers?groups=${vip}&fields=id`)).json,
  });
  const before = await answers(live);
  t.same(before.vipMembers.customers.map((c: { id: string }) => c.id), [customers[2], customers[3], customers[5]]);
  await live.stop();

  // Apply the streams in several orders: each document depends on its own stream only.
  const store = await openedEventStore(data.dir);
  const events = await store.readAll({ streamPrefixes: ["customer-", "customer_group-"], maxCount: 10_000 });
  await store.close();
  const streams = [...new Set(events.map((event) => event.stream))];
  const orders = [streams, [...streams].reverse(), [...streams.filter((s) => s.startsWith("customer-")), ...streams.filter((s) => !s.startsWith("customer-"))]];
  for (const order of orders) {
    const readModel = new InMemoryReadModel();
    const bus = new InProcessBus();
    const projector = new Projector({ bus, readModel, topic: "replay", groupId: "replay", logger: createLogger("silent") });
    const done = projector.caughtUpTo(events.filter((event) => event.stream === order.at(-1)).at(-1)!.position);
    await projector.start();
    for (const stream of order) await bus.publish("replay", events.filter((event) => event.stream === stream).map(toBusMessage));
    await done;
    const present = new Presenter(readModel);
    const page = await readModel.customers.list({ filter: EVERYTHING, sort: { field: "id", direction: 1 }, skip: 0, limit: 100 });
    t.same(await present.customers(page.documents, "id,*groups"), before.customers.customers, `customers with their groups (${order === streams ? "log order" : "another order"})`);
    const groups = await readModel.groups.list({ filter: EVERYTHING, sort: { field: "id", direction: 1 }, skip: 0, limit: 100 });
    t.same(await present.groups(groups.documents, "id,name,*customers"), before.groups.customer_groups, "groups with their customers");
    await projector.stop();
  }

  const rebuilt = await startTestService({ dataDir: data.dir });
  t.teardown(() => rebuilt.stop());
  t.same(await answers(rebuilt), before, "a restart rebuilds the same answers");
});
