import t from "tap";
import { InProcessBus } from "../../shared/bus/inProcess.js";
import { busContract } from "./bus.contract.js";

busContract(t, async () => {
  const bus = new InProcessBus();
  return { bus, cleanup: () => bus.close() };
});

t.test("a publisher waits while a running group is MAX_BACKLOG behind, and goes on as it consumes", async (t) => {
  const { MAX_BACKLOG } = await import("../../shared/bus/inProcess.js");
  const bus = new InProcessBus();
  t.teardown(() => bus.close());
  const message = (n: number) => ({ key: `k${n}`, value: `v${n}`, headers: {} });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let consumed = 0;
  await bus.subscribe({ topic: "events", groupId: "slow", fromBeginning: true }, async (messages) => {
    await held;
    consumed += messages.length;
  });
  // Up to the bound, publishing does not wait; past it, it does (its messages are in the log already).
  await bus.publish("events", Array.from({ length: MAX_BACKLOG }, (_, n) => message(n)));
  let published = false;
  const next = bus.publish("events", [message(-1)]).then(() => (published = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.notOk(published, "held back while the group is behind");
  release();
  await next;
  t.ok(published);
  t.ok(consumed > 0, "the group consumed before the publisher went on");
});

t.test("a publisher does not wait for a group whose subscription has stopped", async (t) => {
  const { MAX_BACKLOG } = await import("../../shared/bus/inProcess.js");
  const bus = new InProcessBus();
  t.teardown(() => bus.close());
  // A group that fails every batch (and so never moves) until its subscription stops.
  const subscription = await bus.subscribe({ topic: "events", groupId: "gone", fromBeginning: true }, async () => {
    throw new Error("cannot handle it");
  });
  const publishing = bus.publish("events", Array.from({ length: MAX_BACKLOG + 2 }, (_, n) => ({ key: `k${n}`, value: "v", headers: {} })));
  setTimeout(() => void subscription.close(), 20);
  await publishing;
  t.equal((await bus.groupOffsets("events", "gone")).committed, 0, "the group never moved");
});
