/**
 * Handled event ids in a MongoDB collection (one document per id), so that a subscriber
 * restarted, or moved to another process of its group, still skips what was handled. Ids are
 * kept for a while (`retentionMs`, 7 days by default: redeliveries come within minutes of the
 * original, after a crash or a rebalance) and swept every hour, so the collection does not grow
 * with the topic. Works on MongoDB and FerretDB (`_id` lookups, inserts, a range delete).
 */
import type { Collection, Db } from "mongodb";
import type { ProcessedEvents } from "./processedEvents.js";

interface ProcessedEvent {
  _id: string;
  processed_at: Date;
}

const DUPLICATE_KEY = 11000;
const HOUR = 3_600_000;

export interface MongoProcessedEventsOptions {
  collection?: string;
  /** How long an id is kept (default 7 days). */
  retentionMs?: number;
  /** How often old ids are swept (default every hour; 0: never, call prune yourself). */
  sweepEveryMs?: number;
  clock?: () => Date;
}

export class MongoProcessedEvents implements ProcessedEvents {
  readonly #collection: Collection<ProcessedEvent>;
  readonly #retentionMs: number;
  readonly #clock: () => Date;
  readonly #sweeper: NodeJS.Timeout | undefined;

  constructor(database: Db, options: MongoProcessedEventsOptions = {}) {
    this.#collection = database.collection<ProcessedEvent>(options.collection ?? "processed_events");
    this.#retentionMs = options.retentionMs ?? 7 * 24 * HOUR;
    this.#clock = options.clock ?? (() => new Date());
    const every = options.sweepEveryMs ?? HOUR;
    // A failed sweep is tried again at the next one; the ids it left only take room meanwhile.
    this.#sweeper = every > 0 ? setInterval(() => void this.prune().catch(() => undefined), every).unref() : undefined;
  }

  async has(eventId: string): Promise<boolean> {
    return (await this.#collection.findOne({ _id: eventId }, { projection: { _id: 1 } })) !== null;
  }

  async add(eventId: string): Promise<void> {
    try {
      await this.#collection.insertOne({ _id: eventId, processed_at: this.#clock() });
    } catch (error) {
      // Recorded already (a handler that ran twice across a crash): nothing to add.
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    }
  }

  /** Forgets ids handled longer ago than the retention; answers how many. */
  async prune(): Promise<number> {
    const cutoff = new Date(this.#clock().getTime() - this.#retentionMs);
    return (await this.#collection.deleteMany({ processed_at: { $lt: cutoff } })).deletedCount;
  }

  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
  }
}
