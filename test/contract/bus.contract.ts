/**
 * The bus contract: every adapter runs it (in-process always; Kafka in the cluster suite).
 * Topics and groups are unique per test.
 */
import { randomUUID } from "node:crypto";
import type { Test } from "tap";
import type { BusMessage, ConsumedMessage, MessageBus } from "../../shared/bus/port.js";

export interface BusFixture {
  bus: MessageBus;
  /** Creates the topic where the adapter needs that before publishing (Kafka). */
  prepareTopic?(topic: string): Promise<void>;
  cleanup(): Promise<void>;
}

const message = (key: string, n: number): BusMessage => ({ key, headers: { n: String(n) }, value: JSON.stringify({ n }) });

/** Collects messages until `count` have arrived (or the deadline passes). */
async function collect(
  bus: MessageBus,
  options: { topic: string; groupId: string; fromBeginning: boolean },
  count: number,
  handle: (messages: ConsumedMessage[]) => Promise<void> = async () => {},
): Promise<ConsumedMessage[]> {
  const seen: ConsumedMessage[] = [];
  let done!: () => void;
  const enough = new Promise<void>((resolve) => (done = resolve));
  const subscription = await bus.subscribe(options, async (messages) => {
    await handle(messages);
    seen.push(...messages);
    if (seen.length >= count) done();
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([enough, new Promise((resolve) => (timer = setTimeout(resolve, 20_000)))]);
  clearTimeout(timer);
  // Linger a little: anything delivered beyond `count` is a duplicate the tests will see.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await subscription.close();
  return seen;
}

export function busContract(t: Test, makeFixture: () => Promise<BusFixture>): void {
  let fixture: BusFixture;
  let topic: string;
  t.beforeEach(async () => {
    fixture = await makeFixture();
    topic = `contract-${randomUUID()}`;
    await fixture.prepareTopic?.(topic);
  });
  t.afterEach(async () => fixture.cleanup());

  t.test("delivers key, headers and value, keeping each key's order", async (t) => {
    const { bus } = fixture;
    await bus.publish(topic, [message("a", 1), message("b", 1), message("a", 2)]);
    await bus.publish(topic, [message("a", 3)]);
    const seen = await collect(bus, { topic, groupId: `g-${randomUUID()}`, fromBeginning: true }, 4);
    t.equal(seen.length, 4, "each message once, when the handler succeeds");
    t.same(seen.filter((m) => m.key === "a").map((m) => m.headers.n), ["1", "2", "3"]);
    t.same(JSON.parse(seen.find((m) => m.key === "b")!.value), { n: 1 });
    t.ok(seen.every((m) => m.topic === topic && typeof m.offset === "string"));
  });

  t.test("a failed handler gets the same messages again (at least once)", async (t) => {
    const { bus } = fixture;
    await bus.publish(topic, [message("k", 1), message("k", 2)]);
    let failures = 0;
    const seen = await collect(bus, { topic, groupId: `g-${randomUUID()}`, fromBeginning: true }, 2, async () => {
      if (failures < 2) {
        failures += 1;
        throw new Error("projection down");
      }
    });
    t.equal(failures, 2);
    t.same(seen.map((m) => m.headers.n), ["1", "2"]);
  });

  t.test("a group resumes after its committed offset", async (t) => {
    const { bus } = fixture;
    const groupId = `g-${randomUUID()}`;
    await bus.publish(topic, [message("k", 1), message("k", 2)]);
    const first = await collect(bus, { topic, groupId, fromBeginning: true }, 2);
    t.same(first.map((m) => m.headers.n), ["1", "2"]);
    await bus.publish(topic, [message("k", 3)]);
    const second = await collect(bus, { topic, groupId, fromBeginning: true }, 1);
    t.same(second.map((m) => m.headers.n), ["3"], "committed messages are not delivered again");
  });

  t.test("groups are independent", async (t) => {
    const { bus } = fixture;
    await bus.publish(topic, [message("k", 1)]);
    const one = await collect(bus, { topic, groupId: `g1-${randomUUID()}`, fromBeginning: true }, 1);
    const two = await collect(bus, { topic, groupId: `g2-${randomUUID()}`, fromBeginning: true }, 1);
    t.equal(one.length, 1);
    t.equal(two.length, 1);
  });

  t.test("a subscription says it is in its group; the group's offsets show what it has not committed", async (t) => {
    const { bus } = fixture;
    const groupId = `g-${randomUUID()}`;
    await bus.publish(topic, [message("a", 1), message("b", 2), message("c", 3)]);
    t.match(await bus.groupOffsets(topic, groupId), { lag: 3 }, "a group that has committed nothing is behind by every message");
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    const subscription = await bus.subscribe({ topic, groupId, fromBeginning: true }, async (messages) => {
      await released;
      handled += messages.length;
    });
    t.teardown(() => subscription.close());
    t.match(subscription.status(), { member: true, restarts: 0 });
    const before = await bus.groupOffsets(topic, groupId);
    t.equal(before.lag, 3, "nothing is committed while the handler holds the batch");
    release();
    const deadline = Date.now() + 20_000;
    let after = before;
    while ((handled < 3 || after.lag > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await bus.groupOffsets(topic, groupId);
    }
    t.equal(after.lag, 0, "caught up once the handler finished");
    t.ok(after.committed > before.committed, "the committed offsets moved forward");
    await subscription.close();
    t.equal(subscription.status().member, false, "a closed subscription is no longer a member");
  });
}
