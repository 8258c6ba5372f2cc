/**
 * The subscriber kit: consume the events topic with a consumer group and hand each event, typed
 * and in its current version, to the handler for its type. The contract:
 *
 * - **Order**: one entity's events (one key) come in order, one at a time.
 * - **Commits**: a batch's offsets are committed only once every event of it was handled (or
 *   set aside as poison, below); a crash before that delivers the batch again.
 * - **Duplicates**: an event whose id `processed` holds is skipped; an id is recorded after its
 *   handler succeeded. A crash between the two repeats that one event: make handlers
 *   idempotent (upserts, deletes by id), or record the id in the handler's own write.
 * - **Retries**: a handler that throws is called again with the same event, up to `attempts`
 *   times, waiting `delayMs`, doubled each time (at most 30 s), in between.
 * - **Poison**: a message that cannot be read (not JSON, not matching its schema), of a
 *   version newer than this code knows, or whose handler failed every attempt, goes to the
 *   dead-letter topic (`<topic>.dead-letter.<group>`, the original key and value, headers
 *   saying why and from where) and the subscriber moves on. `onExhausted: "stop"` instead
 *   leaves the batch uncommitted, so the group retries it (the bus's own backoff) until the
 *   handler succeeds: nothing is skipped, and nothing after it is handled meanwhile.
 * - **Types without a handler** are skipped (committed): new event types can appear at any
 *   time and a subscriber reads only those it knows.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { BusSubscription, ConsumedMessage, MessageBus } from "../bus/port.js";
import type { Logger } from "../logger.js";
import { type Decoded, decodeEvent, openedValue } from "./decode.js";
import type { EventOfType, EventType } from "./events.js";
import { type ProcessedEvents, RecentProcessedEvents } from "./processedEvents.js";

export interface HandlerContext {
  /** The Kafka message the event came in (topic, partition, offset, headers). */
  message: ConsumedMessage;
  /** 1 on the first call, then 2, 3, ... on retries. */
  attempt: number;
}

export type EventHandlers = { [T in EventType]?: (event: EventOfType<T>, context: HandlerContext) => Promise<void> };

export interface SubscriberOptions {
  bus: MessageBus;
  topic: string;
  groupId: string;
  handlers: EventHandlers;
  logger: Logger;
  /** Where handled ids are kept; by default the last 100,000 in memory. */
  processed?: ProcessedEvents;
  /** Calls per event before it is poison (default 5), and the first wait between them (default 200 ms). */
  retry?: { attempts?: number; delayMs?: number };
  /** What a handler failing every attempt does: go to the dead-letter topic (default) or stop the group. */
  onExhausted?: "dead-letter" | "stop";
  /** The dead-letter topic (default `<topic>.dead-letter.<groupId>`). */
  deadLetterTopic?: string;
  /** Read the topic from its start when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /**
   * Opens the personal fields that travel sealed (a customer's email, names, phone, company,
   * addresses, metadata): `(type, data) => openSealedData(keyStore, type, data)` for a
   * subscriber given the key store (shared/runtime/keys.ts). Without it they come as null,
   * with `personal_data: "withheld"` on the data.
   */
  openData?: (type: string, data: unknown) => Promise<unknown>;
}

/** Headers a dead-lettered message carries beside its own. */
export const DEAD_LETTER_HEADER = {
  reason: "dead-letter-reason",
  topic: "dead-letter-topic",
  partition: "dead-letter-partition",
  offset: "dead-letter-offset",
  group: "dead-letter-group",
  attempts: "dead-letter-attempts",
} as const;

export const deadLetterTopicOf = (topic: string, groupId: string): string => `${topic}.dead-letter.${groupId}`;

/** A handler failed every attempt with `onExhausted: "stop"`: the batch stays uncommitted. */
export class HandlerExhausted extends Error {
  override readonly name = "HandlerExhausted";
}

export async function startSubscriber(options: SubscriberOptions): Promise<BusSubscription> {
  const { bus, topic, groupId, handlers, logger } = options;
  const processed = options.processed ?? new RecentProcessedEvents();
  const attempts = Math.max(1, options.retry?.attempts ?? 5);
  const firstDelayMs = options.retry?.delayMs ?? 200;
  const deadLetterTopic = options.deadLetterTopic ?? deadLetterTopicOf(topic, groupId);
  const unknownSeen = new Set<string>();
  // Made now: a poison message sent to a topic that does not exist would fail its batch
  // again and again where topics are not created on first use (the compose file's Kafka).
  await bus.ensureTopics([deadLetterTopic]);

  const deadLetter = async (message: ConsumedMessage, reason: string, tries: number) => {
    logger.warn({ topic: message.topic, partition: message.partition, offset: message.offset, deadLetterTopic, reason }, "message set aside on the dead-letter topic");
    await bus.publish(deadLetterTopic, [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DEAD_LETTER_HEADER.reason]: reason,
          [DEAD_LETTER_HEADER.topic]: message.topic,
          [DEAD_LETTER_HEADER.partition]: String(message.partition),
          [DEAD_LETTER_HEADER.offset]: message.offset,
          [DEAD_LETTER_HEADER.group]: groupId,
          [DEAD_LETTER_HEADER.attempts]: String(tries),
        },
      },
    ]);
  };

  const handle = async (message: ConsumedMessage, decoded: Extract<Decoded, { kind: "event" }>) => {
    const { event } = decoded;
    const handler = handlers[event.type] as ((event: unknown, context: HandlerContext) => Promise<void>) | undefined;
    if (!handler || (await processed.has(event.event_id))) return;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await handler(event, { message, attempt });
        await processed.add(event.event_id);
        return;
      } catch (error) {
        const reason = `the ${event.type} handler failed ${attempt === 1 ? "once" : `${attempt} times`}: ${(error as Error).message}`;
        if (attempt >= attempts) {
          if (options.onExhausted === "stop") throw new HandlerExhausted(`${reason}; the batch is left uncommitted`);
          await deadLetter(message, reason, attempt);
          return;
        }
        logger.warn({ err: error, eventId: event.event_id, attempt }, `${event.type} handler failed; retrying`);
        await sleep(Math.min(firstDelayMs * 2 ** (attempt - 1), 30_000));
      }
    }
  };

  return bus.subscribe({ topic, groupId, fromBeginning: options.fromBeginning ?? true }, async (messages) => {
    for (const message of messages) {
      const decoded = decodeEvent(await openedValue(message.value, options.openData));
      if (decoded.kind === "event") await handle(message, decoded);
      else if (decoded.kind === "invalid") await deadLetter(message, `unreadable: ${decoded.reason}`, 0);
      else if (decoded.type in handlers) await deadLetter(message, `${decoded.type} v${decoded.version} is newer than this subscriber knows: upgrade it and replay this message`, 0);
      else if (!unknownSeen.has(decoded.type)) {
        unknownSeen.add(decoded.type);
        logger.info({ type: decoded.type }, "skipping events of a type this subscriber has no handler for");
      }
    }
  });
}
