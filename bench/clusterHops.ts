/**
 * Where a cluster create's time goes, hop by hop, measured from outside the service: creates
 * one at a time, each timed at its request and its answer, while a Kafka consumer of the
 * bench's own reads the events topic and the read-model notices topic. Each create then has
 * six moments on this machine's clock:
 *
 *   request sent ─ decided (the event's occurred_at) ─ committed (its recorded_at: the start
 *   of the store's commit) ─ published (the event message's Kafka timestamp, set by the
 *   publisher's producer) ─ projected (the notice's Kafka timestamp, set by the projector once
 *   the read model holds the document) ─ answered
 *
 * and the hops between them: the HTTP layer and the decision; the append; the publisher's
 * pick-up and produce; Kafka to the projector, the read model's write and the notice; the
 * notice back to the command service and the answer.
 */
import { Kafka, logLevel } from "kafkajs";

export interface HopFigures {
  samples: number;
  /** Milliseconds, p50 and p99 of each hop, in the order of the module comment. */
  hops: Record<string, { p50: number; p99: number }>;
}

export const HOPS = ["request to decided", "decided to committed", "committed to published", "published to projected", "projected to answered"] as const;

interface Options {
  base: string;
  authorization: string;
  brokers: string[];
  eventsTopic: string;
  noticesTopic: string;
  samples: number;
}

interface Moments {
  sent: number;
  answered: number;
}

export async function measureClusterHops(options: Options): Promise<HopFigures> {
  const kafka = new Kafka({ clientId: "bench-hops", brokers: options.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-hops-${Date.now()}`, maxWaitTimeInMs: 100 });
  const published = new Map<string, { occurred: number; recorded: number; produced: number }>();
  const projected = new Map<string, number>();
  await consumer.connect();
  await consumer.subscribe({ topics: [options.eventsTopic, options.noticesTopic], fromBeginning: false });
  let joined!: () => void;
  const ready = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (!message.value || !message.key) return;
      const id = message.key.toString();
      const value = JSON.parse(message.value.toString()) as Record<string, unknown>;
      if (topic === options.eventsTopic && value.type === "CustomerCreated") {
        published.set(id, { occurred: Date.parse(String(value.occurred_at)), recorded: Date.parse(String(value.recorded_at)), produced: Number(message.timestamp) });
      } else if (topic === options.noticesTopic && !projected.has(id)) {
        projected.set(id, Number(message.timestamp));
      }
    },
  });
  try {
    await ready;
    // Partitions are assigned from the latest offset once joined: a moment for the fetches to start.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const answered = new Map<string, Moments>();
    for (let n = 0; n < options.samples; n += 1) {
      const sent = Date.now();
      const response = await fetch(`${options.base}/admin/customers`, {
        method: "POST",
        headers: { authorization: options.authorization, "content-type": "application/json" },
        body: JSON.stringify({ email: `hops.${sent}.${n}@example.com`, first_name: "Hops" }),
      });
      const { customer } = (await response.json()) as { customer: { id: string } };
      answered.set(customer.id, { sent, answered: Date.now() });
    }
    const deadline = Date.now() + 10_000;
    while ([...answered.keys()].some((id) => !published.has(id) || !projected.has(id)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const spans: number[][] = HOPS.map(() => []);
    for (const [id, { sent, answered: at }] of answered) {
      const event = published.get(id);
      const notice = projected.get(id);
      if (!event || notice === undefined) continue;
      const moments = [sent, event.occurred, event.recorded, event.produced, notice, at];
      for (let hop = 0; hop < HOPS.length; hop += 1) spans[hop]!.push(moments[hop + 1]! - moments[hop]!);
    }
    const hops: HopFigures["hops"] = {};
    HOPS.forEach((name, hop) => {
      const sorted = spans[hop]!.sort((a, b) => a - b);
      hops[name] = { p50: at(sorted, 50), p99: at(sorted, 99) };
    });
    return { samples: spans[0]!.length, hops };
  } finally {
    await consumer.disconnect();
  }
}

const at = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
