/**
 * Handled event ids in a MongoDB collection (one document per id), so that a subscriber
 * restarted, or moved to another process of its group, still skips what was handled. Works
 * on MongoDB and FerretDB (only `_id` lookups and inserts).
 */
import type { Collection, Db } from "mongodb";
import type { ProcessedEvents } from "./processedEvents.js";

interface ProcessedEvent {
  _id: string;
  processed_at: Date;
}

const DUPLICATE_KEY = 11000;

export class MongoProcessedEvents implements ProcessedEvents {
  readonly #collection: Collection<ProcessedEvent>;

  constructor(database: Db, collection = "processed_events") {
    this.#collection = database.collection<ProcessedEvent>(collection);
  }

  async has(eventId: string): Promise<boolean> {
    return (await this.#collection.findOne({ _id: eventId }, { projection: { _id: 1 } })) !== null;
  }

  async add(eventId: string): Promise<void> {
    try {
      await this.#collection.insertOne({ _id: eventId, processed_at: new Date() });
    } catch (error) {
      // Recorded already (a handler that ran twice across a crash): nothing to add.
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    }
  }

  async close(): Promise<void> {}
}
