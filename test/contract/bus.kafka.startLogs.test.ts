/**
 * A healthy start on real Kafka logs nothing at warn or above: a fresh topic, a producer, a
 * fresh consumer group that two members join one after the other (a rebalance), messages
 * consumed and committed. What kafkajs retries meanwhile is logged below warning.
 */
import { randomUUID } from "node:crypto";
import t from "tap";
import { KafkaBus } from "../../shared/bus/kafka.js";
import type { Logger } from "../../shared/logger.js";
import { kafkaBrokers, requireServers } from "../support/cluster.js";

type Level = keyof Logger;
interface Line {
  level: Level;
  message: string;
  fields: Record<string, unknown>;
}

function capturingLogger(lines: Line[]): Logger {
  const at = (level: Level) => (fields: object, message?: string) => void lines.push({ level, message: message ?? "", fields: fields as Record<string, unknown> });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

if (requireServers(t, "Kafka start logs suite", ["kafka"])) {
  t.test("a healthy start and join log nothing at warn or above", async (t) => {
    const run = randomUUID().slice(0, 8);
    const topic = `start-logs.${run}`;
    const lines: Line[] = [];
    const bus = new KafkaBus({ brokers: kafkaBrokers, clientId: "start-logs", partitions: 3, replicationFactor: 1, logger: capturingLogger(lines), retryDelayMs: 100 });
    t.teardown(() => bus.close());

    await bus.ensureTopics([topic]);
    const keys = Array.from({ length: 12 }, (_, n) => `cus_${run}_${n}`);
    await bus.publish(topic, keys.map((key) => ({ key, headers: {}, value: key })));

    const seen = new Set<string>();
    const handler = async (messages: { key: string }[]) => void messages.forEach((message) => seen.add(message.key));
    const groupId = `start-logs-${run}`;
    const first = await bus.subscribe({ topic, groupId, fromBeginning: true }, handler);
    // A second member makes the group rebalance, the first one rejoining.
    const second = await bus.subscribe({ topic, groupId, fromBeginning: true }, handler);
    const deadline = Date.now() + 30_000;
    while (seen.size < keys.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    t.equal(seen.size, keys.length, "every message consumed");
    // A few heartbeats after the join, and a publish to the settled group.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await bus.publish(topic, [{ key: keys[0]!, headers: {}, value: "again" }]);
    t.ok(first.status().member && second.status().member, "both members in the group");

    const loud = lines.filter((line) => line.level === "warn" || line.level === "error");
    t.same(loud, [], "nothing at warn or above");
    t.ok(
      lines.some((line) => line.level === "debug" && line.message === "kafka: Limiting retries for the idempotent producer may invalidate EoS guarantees"),
      "the idempotent producer's notice about its limited retries is at debug",
    );
    await second.close();
    await first.close();
  });
}
