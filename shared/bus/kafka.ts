/**
 * Kafka adapter of the bus (kafkajs 2.2.4, which works against Kafka 4's KRaft brokers).
 * - The producer is idempotent and sends with acks=all, one request in flight, so a retry
 *   can neither duplicate nor reorder a message; the key keeps one customer's events in order.
 * - A consumer commits a partition's offset only after the handler has finished with the
 *   batch (at least once); a failing handler is retried in place, keeping its place in the group.
 * - Topics are created at start when missing, with the configured partition count.
 */
import { Kafka, type KafkaMessage, type Consumer, type Producer, Partitioners, logLevel, type LogEntry } from "kafkajs";
import type { Logger } from "../logger.js";
import type { BusMessage, BusSubscription, ConsumedMessage, MessageBus, MessageHandler } from "./port.js";

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  partitions: number;
  replicationFactor: number;
  logger: Logger;
  /** Pause between attempts when a handler fails. */
  retryDelayMs?: number;
  /** How long `subscribe` waits for the consumer to join its group. */
  joinTimeoutMs?: number;
}

export class KafkaBus implements MessageBus {
  readonly #kafka: Kafka;
  readonly #options: Required<KafkaBusOptions>;
  #producer: Promise<Producer> | undefined;
  readonly #consumers = new Set<Consumer>();

  constructor(options: KafkaBusOptions) {
    this.#options = { retryDelayMs: 500, joinTimeoutMs: 60_000, ...options };
    const { logger } = options;
    this.#kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...extra } = entry.log;
        const fields = { namespace: entry.namespace, ...extra };
        if (entry.level <= logLevel.ERROR) logger.error(fields, `kafka: ${message}`);
        else logger.warn(fields, `kafka: ${message}`);
      },
    });
  }

  /** Creates the topics that do not exist yet. Safe to call from several processes at once. */
  async ensureTopics(topics: string[]): Promise<void> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: this.#options.partitions,
          replicationFactor: this.#options.replicationFactor,
        })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  #connectedProducer(): Promise<Producer> {
    this.#producer ??= (async () => {
      const producer = this.#kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 8, maxRetryTime: 5_000 },
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.#producer = undefined;
      throw error;
    });
    return this.#producer;
  }

  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.#connectedProducer();
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((message) => ({ key: message.key, value: message.value, headers: message.headers })),
    });
  }

  async subscribe(
    options: { topic: string; groupId: string; fromBeginning: boolean },
    handler: MessageHandler,
  ): Promise<BusSubscription> {
    // A member that dies without leaving holds its partitions until its session times out:
    // keep that short so a killed projector's partitions move on within seconds.
    const consumer = this.#kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    this.#consumers.add(consumer);
    let stopping = false;
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumer group ${options.groupId} did not join within ${this.#options.joinTimeoutMs} ms`)),
        this.#options.joinTimeoutMs,
      );
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
    await consumer.run({
      // Partitions hold different customers, so they can be worked on side by side.
      partitionsConsumedConcurrently: this.#options.partitions,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        if (batch.messages.length === 0) return;
        const messages = batch.messages.map((message) => toConsumedMessage(batch.topic, batch.partition, message));
        for (;;) {
          try {
            await handler(messages);
            break;
          } catch {
            // The handler logs its own failure; keep the batch, stay in the group, try again.
            if (stopping || !isRunning() || isStale()) return;
            await new Promise((resolve) => setTimeout(resolve, this.#options.retryDelayMs));
            await heartbeat();
          }
        }
        // resolveOffset moves this consumer's own fetch position; commitOffsets moves the group's.
        const last = batch.messages.at(-1)!.offset;
        resolveOffset(last);
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      },
    });
    await joined;
    return {
      close: async () => {
        stopping = true;
        await consumer.disconnect();
        this.#consumers.delete(consumer);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#consumers].map((consumer) => consumer.disconnect()));
    this.#consumers.clear();
    const producer = this.#producer;
    this.#producer = undefined;
    if (producer) await (await producer.catch(() => undefined))?.disconnect();
  }
}

function toConsumedMessage(topic: string, partition: number, message: KafkaMessage): ConsumedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.map(String).join(",") : value.toString();
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? "",
    headers,
    value: message.value?.toString() ?? "",
  };
}
