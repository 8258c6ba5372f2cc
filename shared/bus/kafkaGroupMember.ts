/**
 * One member of a Kafka consumer group that stays in its group whatever happens to the
 * broker or to the handler.
 *
 * kafkajs rejoins by itself after a rebalance, but a consumer that crashes on an error it
 * calls non-retriable (the coordinator forgetting the member after a broker pause, an offset
 * commit refused once the session has expired) stays stopped for good, and its own restarts
 * after other crashes wait up to 30 s and can race with a replacement. So:
 * - offsets are committed through the batch's own commit, whose group errors reach kafkajs
 *   unwrapped, and kafkajs rejoins on them;
 * - every crash is followed by a fresh consumer, after a short backoff, by this class alone
 *   (kafkajs is told never to restart one itself), so one member never becomes two;
 * - while a batch is being handled (however long the read model takes) the member keeps
 *   heartbeating, so a slow database makes it slow, not ejected;
 * - a watchdog replaces a consumer that has been trying to join for too long without a crash,
 *   whatever the reason. It counts from that consumer's launch: a join after a broker restart
 *   waits for the members the broker remembers to time out, and cutting it short would only
 *   add one more member to wait for.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import type { Logger } from "../logger.js";
import type { BusSubscription, ConsumedMessage, MessageHandler, SubscriptionStatus } from "./port.js";

export interface GroupMemberOptions {
  topic: string;
  groupId: string;
  fromBeginning: boolean;
  /** Partitions handled side by side. */
  concurrency: number;
  logger: Logger;
  /** Pause between attempts when the handler fails. */
  retryDelayMs: number;
  /** How long the first join may take before `start` gives up. */
  joinTimeoutMs: number;
  /** A member that dies without leaving holds its partitions this long. */
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** A consumer that has not joined this long after its launch (or since it last left) is replaced. */
  rejoinAfterMs: number;
}

/** The group has moved on without this member: its batch will go to the partition's next owner. */
const GROUP_ERRORS = new Set(["UNKNOWN_MEMBER_ID", "ILLEGAL_GENERATION", "REBALANCE_IN_PROGRESS", "NOT_COORDINATOR_FOR_GROUP", "FENCED_INSTANCE_ID"]);
const isGroupError = (error: unknown): boolean => GROUP_ERRORS.has((error as { type?: string } | undefined)?.type ?? "");

/** A broker that is down is asked again this often at most: cheap, and quick to notice its return. */
const MAX_BACKOFF_MS = 5_000;

export class KafkaGroupMember implements BusSubscription {
  readonly #kafka: Kafka;
  readonly #options: GroupMemberOptions;
  readonly #handler: MessageHandler;
  #consumer: Consumer | undefined;
  #stopping = false;
  #relaunching = false;
  #attempt = 0;
  #status: SubscriptionStatus = { member: false, since: Date.now(), restarts: 0 };
  #joined!: () => void;
  readonly #firstJoin = new Promise<void>((resolve) => (this.#joined = resolve));
  #watchdog: NodeJS.Timeout | undefined;
  #launchedAt = 0;

  constructor(kafka: Kafka, options: GroupMemberOptions, handler: MessageHandler) {
    this.#kafka = kafka;
    this.#options = options;
    this.#handler = handler;
  }

  /** Resolves once the member has joined its group the first time. */
  async start(): Promise<void> {
    void this.#launch();
    this.#watchdog = setInterval(() => this.#checkMembership(), Math.min(5_000, this.#options.rejoinAfterMs)).unref();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`consumer group ${this.#options.groupId} did not join within ${this.#options.joinTimeoutMs} ms${this.#status.lastError ? `: ${this.#status.lastError}` : ""}`)),
        this.#options.joinTimeoutMs,
      );
    });
    try {
      await Promise.race([this.#firstJoin, timedOut]);
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  status(): SubscriptionStatus {
    return { ...this.#status };
  }

  async close(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#watchdog);
    const consumer = this.#consumer;
    this.#consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
    this.#setMember(false);
  }

  async #launch(): Promise<void> {
    const { groupId, topic, fromBeginning } = this.#options;
    const consumer = this.#kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.#options.sessionTimeoutMs,
      heartbeatInterval: this.#options.heartbeatIntervalMs,
      retry: { initialRetryTime: 300, maxRetryTime: MAX_BACKOFF_MS, retries: 8, restartOnFailure: async () => false },
    });
    this.#consumer = consumer;
    this.#launchedAt = Date.now();
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (consumer !== this.#consumer) return;
      this.#attempt = 0;
      this.#setMember(true);
      this.#joined();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (consumer !== this.#consumer) return;
      this.#setMember(false, payload.error);
      this.#relaunch(consumer, payload.error);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning });
      await consumer.run({
        partitionsConsumedConcurrently: this.#options.concurrency,
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.#eachBatch(consumer, payload),
      });
    } catch (error) {
      this.#setMember(false, error);
      this.#relaunch(consumer, error);
    }
  }

  async #eachBatch(consumer: Consumer, { batch, heartbeat, isRunning, isStale, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    // A consumer being replaced handles nothing more: its batches go to its successor.
    if (batch.messages.length === 0 || consumer !== this.#consumer) return;
    const messages = batch.messages.map((message) => toConsumedMessage(batch.topic, batch.partition, message));
    // Heartbeat while the handler works, so that a slow handler keeps its place in the group;
    // a heartbeat that learns the group has moved on ends the batch.
    let groupError: unknown;
    const beat = setInterval(() => {
      heartbeat().catch((error: unknown) => {
        if (isGroupError(error)) groupError ??= error;
      });
    }, this.#options.heartbeatIntervalMs);
    try {
      for (;;) {
        try {
          await this.#handler(messages);
          break;
        } catch {
          // The handler logs its own failure; keep the batch and try again while it is still ours.
          if (groupError) throw groupError;
          if (this.#stopping || consumer !== this.#consumer || !isRunning() || isStale()) return;
          await new Promise((resolve) => setTimeout(resolve, this.#options.retryDelayMs));
        }
      }
    } finally {
      clearInterval(beat);
    }
    // Thrown as kafkajs made it, so that kafkajs rejoins; the batch comes again (at least once).
    if (groupError) throw groupError;
    const last = batch.messages.at(-1)!.offset;
    // resolveOffset moves this consumer's fetch position; the commit moves the group's.
    resolveOffset(last);
    await commitOffsetsIfNecessary({
      topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }] }],
    });
  }

  /** Replaces `consumer` with a fresh one after a backoff, once. */
  #relaunch(consumer: Consumer, reason: unknown): void {
    if (this.#stopping || this.#relaunching || consumer !== this.#consumer) return;
    this.#relaunching = true;
    const delay = backoff(this.#attempt);
    this.#attempt += 1;
    this.#status.restarts += 1;
    this.#options.logger.warn(
      { err: reason, group: this.#options.groupId, retry_in_ms: delay, restarts: this.#status.restarts },
      "kafka consumer is out of its group; joining again with a fresh consumer",
    );
    setTimeout(async () => {
      // disconnect lets a batch in hand finish first, so two consumers never handle it at once.
      await consumer.disconnect().catch(() => undefined);
      this.#relaunching = false;
      if (!this.#stopping && consumer === this.#consumer) void this.#launch();
    }, delay).unref();
  }

  #checkMembership(): void {
    const { member, since } = this.#status;
    const trying = Date.now() - Math.max(since, this.#launchedAt);
    if (member || !this.#consumer || trying < this.#options.rejoinAfterMs) return;
    this.#relaunch(this.#consumer, new Error(`consumer has not joined group ${this.#options.groupId} in ${trying} ms`));
  }

  #setMember(member: boolean, error?: unknown): void {
    if (error !== undefined) this.#status.lastError = error instanceof Error ? error.message : String(error);
    if (member === this.#status.member) return;
    this.#status.member = member;
    this.#status.since = Date.now();
  }
}

/** 0.5 s, 1 s, 2 s, ... up to MAX_BACKOFF_MS, each with up to a fifth of random spread. */
function backoff(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.8 + Math.random() * 0.4));
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
