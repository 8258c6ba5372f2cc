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
  /** Stops after the batch in hand; its offsets are committed if it succeeded. */
  close(): Promise<void>;
}

export interface MessageBus {
  publish(topic: string, messages: BusMessage[]): Promise<void>;
  subscribe(
    options: { topic: string; groupId: string; fromBeginning: boolean },
    handler: MessageHandler,
  ): Promise<BusSubscription>;
  close(): Promise<void>;
}
