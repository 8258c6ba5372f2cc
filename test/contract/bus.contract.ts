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
}
