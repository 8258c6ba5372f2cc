/**
 * In-process bus for embedded mode: one ordered log per topic, held in memory, with a
 * committed offset per consumer group, and publishers held back while a running group is far
 * behind (MAX_BACKLOG). It lives and dies with the process: after a restart the publisher
 * follows the event store again from the read model's own position (shared/runtime/embedded.ts).
 */
import { Signal } from "../signal.js";
import type { BusMessage, BusSubscription, ConsumedMessage, GroupOffsets, MessageBus, MessageHandler } from "./port.js";

const BATCH_SIZE = 256;
const RETRY_DELAY_MS = 100;
/**
 * How far a running consumer group may fall behind before publish() waits for it. Without a
 * bound, a publisher catching up on a long log (a first start on a large store) would hold
 * the whole log in memory while the projector works through it.
 */
export const MAX_BACKLOG = 10_000;

class TopicLog {
  /** Offset of messages[0]; messages every group has committed are dropped. */
  baseOffset = 0;
  messages: BusMessage[] = [];
  readonly committed = new Map<string, number>();
  readonly published = new Signal();
  /** Running subscriptions by group: only those are waited for. */
  readonly running = new Map<string, number>();
  /** Notified when a group commits, or a subscription stops. */
  readonly consumed = new Signal();

  /** How many messages the furthest-behind running group has still to consume. */
  get backlog(): number {
    let lowest = this.endOffset;
    for (const group of this.running.keys()) lowest = Math.min(lowest, this.committed.get(group) ?? lowest);
    return this.endOffset - lowest;
  }

  get endOffset(): number {
    return this.baseOffset + this.messages.length;
  }

  trim(): void {
    if (this.committed.size === 0) return;
    const lowest = Math.min(...this.committed.values());
    const drop = lowest - this.baseOffset;
    if (drop > 1024) {
      this.messages = this.messages.slice(drop);
      this.baseOffset = lowest;
    }
  }
}

export class InProcessBus implements MessageBus {
  readonly #topics = new Map<string, TopicLog>();
  readonly #subscriptions = new Set<BusSubscription>();

  async ensureTopics(topics: string[]): Promise<void> {
    for (const topic of topics) this.#topic(topic);
  }

  #topic(name: string): TopicLog {
    let log = this.#topics.get(name);
    if (!log) {
      log = new TopicLog();
      this.#topics.set(name, log);
    }
    return log;
  }

  /** Resolves once the messages are in the log and no running group is MAX_BACKLOG behind. */
  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    const log = this.#topic(topic);
    for (const message of messages) log.messages.push({ ...message, headers: { ...message.headers } });
    log.published.notify();
    for (;;) {
      const consumed = log.consumed.next();
      if (log.backlog <= MAX_BACKLOG) return;
      await consumed;
    }
  }

  async subscribe(
    options: { topic: string; groupId: string; fromBeginning: boolean },
    handler: MessageHandler,
  ): Promise<BusSubscription> {
    const log = this.#topic(options.topic);
    if (!log.committed.has(options.groupId)) {
      log.committed.set(options.groupId, options.fromBeginning ? log.baseOffset : log.endOffset);
    }
    let running = true;
    const stopped = new Signal();
    log.running.set(options.groupId, (log.running.get(options.groupId) ?? 0) + 1);
    const loop = (async () => {
      while (running) {
        const published = log.published.next();
        const from = log.committed.get(options.groupId)!;
        if (from >= log.endOffset) {
          await Promise.race([published, stopped.next()]);
          continue;
        }
        const batch: ConsumedMessage[] = log.messages
          .slice(from - log.baseOffset, from - log.baseOffset + BATCH_SIZE)
          .map((message, index) => ({ ...message, topic: options.topic, partition: 0, offset: String(from + index) }));
        try {
          await handler(batch);
          log.committed.set(options.groupId, from + batch.length);
          log.trim();
          log.consumed.notify();
        } catch {
          // At least once: the same batch comes again after a pause.
          await Promise.race([new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS)), stopped.next()]);
        }
      }
    })();
    // In the same process as its log, a subscription is always in its group.
    const since = Date.now();
    const subscription: BusSubscription = {
      status: () => ({ member: running, since, restarts: 0 }),
      close: async () => {
        if (!running) return;
        running = false;
        stopped.notify();
        await loop;
        const left = (log.running.get(options.groupId) ?? 1) - 1;
        if (left > 0) log.running.set(options.groupId, left);
        else log.running.delete(options.groupId);
        log.consumed.notify();
        this.#subscriptions.delete(subscription);
      },
    };
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async groupOffsets(topic: string, groupId: string): Promise<GroupOffsets> {
    const log = this.#topic(topic);
    const committed = log.committed.get(groupId) ?? log.baseOffset;
    return { lag: log.endOffset - committed, committed };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
  }
}
