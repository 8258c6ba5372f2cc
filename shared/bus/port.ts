/**
 * The bus port: keyed messages on topics, consumed by groups that commit their offsets.
 * Adapters: in-process (embedded mode) and Kafka. Both pass test/contract/bus.contract.ts.
 */

export interface BusMessage {
  /** Messages with the same key keep their order. */
  key: string;
  headers: Record<string, string>;
  value: string;
}

export interface ConsumedMessage extends BusMessage {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Called with messages in order. The group's offsets move past them only once the
 * returned promise resolves; a rejection means the same messages come again (at least once).
 */
export type MessageHandler = (messages: ConsumedMessage[]) => Promise<void>;

export interface BusSubscription {
  /** Whether this consumer is in its group now, and what it last ran into. */
  status(): SubscriptionStatus;
  /** Stops after the batch in hand; its offsets are committed if it succeeded. */
  close(): Promise<void>;
}

export interface SubscriptionStatus {
  /** A member of its group, with partitions to consume (or waiting for messages). */
  member: boolean;
  /** When `member` last changed (ms since the epoch). */
  since: number;
  /** Why it last left its group or failed to join, if it did. */
  lastError?: string;
  /** How many times it has had to rejoin with a fresh consumer. */
  restarts: number;
}

export interface MessageBus {
  /** Creates the topics that do not exist yet (Kafka; the in-process bus makes them as they are used). */
  ensureTopics(topics: string[]): Promise<void>;
  publish(topic: string, messages: BusMessage[]): Promise<void>;
  subscribe(
    options: { topic: string; groupId: string; fromBeginning: boolean },
    handler: MessageHandler,
  ): Promise<BusSubscription>;
  /**
   * How far a group is behind on a topic: per partition, the committed offset and the end of
   * the log (messages published but not yet committed by the group). For health checks.
   */
  groupOffsets(topic: string, groupId: string): Promise<GroupOffsets>;
  close(): Promise<void>;
}

export interface GroupOffsets {
  /** Messages on the topic that the group has not committed yet. */
  lag: number;
  /** Sum of the committed offsets: it grows exactly when the group makes progress. */
  committed: number;
}
