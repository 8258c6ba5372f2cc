/**
 * Which events a subscriber has handled, by event id: the port the kit skips duplicates with
 * (delivery is at least once), and the in-memory adapter. A durable one (mongoProcessedEvents.ts)
 * also skips what was handled before a restart.
 */
export interface ProcessedEvents {
  has(eventId: string): Promise<boolean>;
  add(eventId: string): Promise<void>;
  close(): Promise<void>;
}

/** The ids of the last `capacity` events handled, in memory: duplicates from a redelivered batch, not across restarts. */
export class RecentProcessedEvents implements ProcessedEvents {
  readonly #ids = new Set<string>();

  constructor(readonly capacity = 100_000) {}

  async has(eventId: string): Promise<boolean> {
    return this.#ids.has(eventId);
  }

  async add(eventId: string): Promise<void> {
    this.#ids.add(eventId);
    if (this.#ids.size > this.capacity) this.#ids.delete(this.#ids.values().next().value as string);
  }

  async close(): Promise<void> {}
}
