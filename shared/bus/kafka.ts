/**
 * Kafka adapter of the bus (kafkajs 2.2.4, which works against Kafka 4's KRaft brokers).
 * - The producer is idempotent and sends with acks=all, one request in flight, so a retry
 *   can neither duplicate nor reorder a message; the key keeps one customer's events in order.
 * - A consumer commits a partition's offset only after the handler has finished with the
 *   batch (at least once); a failing handler is retried in place, keeping its place in the
 *   group, and a consumer the group has dropped joins again (kafkaGroupMember.ts).
 * - A producer whose send failed is replaced, so a broker outage cannot leave it unusable.
 * - Topics are created at start when missing, with the configured partition count.
 * - kafkajs's logs of what it retries by itself while a group or topic settles are written
 *   below warning (kafkaLogLevel.ts).
 */
import { type Admin, Kafka, type LogEntry, Partitioners, type Producer, logLevel } from "kafkajs";
import type { Logger } from "../logger.js";
import { KafkaClient } from "./kafkaClient.js";
import { KafkaGroupMember } from "./kafkaGroupMember.js";
import { kafkaLogLevel } from "./kafkaLogLevel.js";
import type { BusMessage, BusSubscription, GroupOffsets, MessageBus, MessageHandler } from "./port.js";

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
  /** A consumer out of its group this long is replaced by a fresh one. */
  rejoinAfterMs?: number;
}

export class KafkaBus implements MessageBus {
  readonly #kafka: Kafka;
  readonly #options: Required<KafkaBusOptions>;
  readonly #producer: KafkaClient<Producer>;
  readonly #admin: KafkaClient<Admin>;
  readonly #members = new Set<KafkaGroupMember>();

  constructor(options: KafkaBusOptions) {
    this.#options = { retryDelayMs: 500, joinTimeoutMs: 60_000, rejoinAfterMs: 90_000, ...options };
    const { logger } = options;
    this.#kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...extra } = entry.log;
        logger[kafkaLogLevel(entry)]({ namespace: entry.namespace, ...extra }, `kafka: ${message}`);
      },
    });
    this.#producer = new KafkaClient(() =>
      this.#kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        // Limited on purpose (kafkajs warns that this "may invalidate EoS guarantees", which
        // kafkaLogLevel.ts writes at debug): a send that cannot succeed fails within seconds,
        // so the publisher's health reports it and a fresh producer replaces this one. The
        // publisher sends the same batch again and moves its checkpoint only once it is on
        // Kafka, one batch at a time, so nothing is lost or reordered; a message sent twice is
        // one more at-least-once delivery, skipped by its stream revision (as the projector does).
        retry: { retries: 8, maxRetryTime: 5_000 },
      }),
    );
    // Asked now and then by the health check: fail fast rather than retry for long.
    this.#admin = new KafkaClient(() => this.#kafka.admin({ retry: { retries: 1, maxRetryTime: 2_000 } }));
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

  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // A failed send replaces the producer (kafkaClient.ts); the resend may repeat messages
    // (at least once), it cannot lose one.
    await this.#producer.use((producer) =>
      producer.send({
        topic,
        acks: -1,
        messages: messages.map((message) => ({ key: message.key, value: message.value, headers: message.headers })),
      }),
    );
  }

  async subscribe(
    options: { topic: string; groupId: string; fromBeginning: boolean },
    handler: MessageHandler,
  ): Promise<BusSubscription> {
    const member = new KafkaGroupMember(
      this.#kafka,
      {
        ...options,
        // Partitions hold different customers, so they can be worked on side by side.
        concurrency: this.#options.partitions,
        logger: this.#options.logger,
        retryDelayMs: this.#options.retryDelayMs,
        joinTimeoutMs: this.#options.joinTimeoutMs,
        // A member that dies without leaving holds its partitions until its session times
        // out: keep that short so a killed projector's partitions move on within seconds.
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 1_000,
        rejoinAfterMs: this.#options.rejoinAfterMs,
      },
      handler,
    );
    this.#members.add(member);
    try {
      await member.start();
    } catch (error) {
      this.#members.delete(member);
      throw error;
    }
    return {
      status: () => member.status(),
      close: async () => {
        this.#members.delete(member);
        await member.close();
      },
    };
  }

  async groupOffsets(topic: string, groupId: string): Promise<GroupOffsets> {
    return this.#admin.use(async (admin) => {
      const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
      let lag = 0;
      let sum = 0;
      for (const end of ends) {
        const offset = Number(committed?.partitions.find((partition) => partition.partition === end.partition)?.offset ?? -1);
        // No commit yet: the group starts from the earliest message still kept.
        const from = offset >= 0 ? offset : Number(end.low);
        lag += Math.max(0, Number(end.high) - from);
        sum += Math.max(0, offset);
      }
      return { lag, committed: sum };
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#members].map((member) => member.close()));
    this.#members.clear();
    await this.#producer.close();
    await this.#admin.close();
  }
}
