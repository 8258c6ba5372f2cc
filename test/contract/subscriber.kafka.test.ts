/**
 * The subscriber kit on real Kafka (topics are not created on first use there): a poison
 * message goes to a dead-letter topic the kit made itself, and the events after it are handled
 * and committed; a second subscriber of the same group resumes after them.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import t from "tap";
import { KafkaBus } from "../../shared/bus/kafka.js";
import type { ConsumedMessage } from "../../shared/bus/port.js";
import { silentLogger } from "../../shared/logger.js";
import { DEAD_LETTER_HEADER, deadLetterTopicOf, startSubscriber } from "../../shared/subscriber/subscriber.js";
import { kafkaBrokers, requireServers } from "../support/cluster.js";

if (requireServers(t, "Kafka subscriber kit suite", ["kafka"])) {
  t.test("poison goes to a dead-letter topic the kit creates, the rest is handled and committed", async (t) => {
    const run = randomUUID().slice(0, 8);
    const topic = `kit.events.${run}`;
    const bus = new KafkaBus({ brokers: kafkaBrokers, clientId: "kit-suite", partitions: 1, replicationFactor: 1, logger: silentLogger, retryDelayMs: 100 });
    t.teardown(() => bus.close());
    await bus.ensureTopics([topic]);
    const created = JSON.parse(readFileSync("test/fixtures/events/CustomerCreated.v1.json", "utf8"));
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
    await bus.publish(topic, [0, 1, 2].map((n) => ({ key: created.data.id, headers: {}, value: JSON.stringify({ ...created, event_id: id(n) }) })));

    const handled: string[] = [];
    const subscription = await startSubscriber({
      bus,
      topic,
      groupId: `kit-${run}`,
      logger: silentLogger,
      retry: { attempts: 2, delayMs: 10 },
      handlers: {
        CustomerCreated: async (event) => {
          if (event.event_id === id(1)) throw new Error("cannot handle this one");
          handled.push(event.event_id);
        },
      },
    });
    const letters: ConsumedMessage[] = [];
    const observer = await bus.subscribe({ topic: deadLetterTopicOf(topic, `kit-${run}`), groupId: `observer-${run}`, fromBeginning: true }, async (messages) => void letters.push(...messages));
    t.teardown(() => observer.close());
    const deadline = Date.now() + 30_000;
    while ((handled.length < 2 || letters.length < 1) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await subscription.close();
    t.same(handled, [id(0), id(2)], "the events around the poison were handled");
    t.equal(letters.length, 1, "one dead letter");
    t.match(letters[0]!.headers, { [DEAD_LETTER_HEADER.reason]: "the CustomerCreated handler failed 2 times: cannot handle this one", [DEAD_LETTER_HEADER.topic]: topic });

    const again: string[] = [];
    const second = await startSubscriber({ bus, topic, groupId: `kit-${run}`, logger: silentLogger, handlers: { CustomerCreated: async (event) => void again.push(event.event_id) } });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await second.close();
    t.same(again, [], "the group committed past all three: nothing comes again");
  });
}
