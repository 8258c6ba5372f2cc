/**
 * The counts a read model has computed for list filters, each valid until the collection
 * next changes. A list answers its page and how many documents match in all; on a large
 * collection the count reads every match while the page reads only its rows, and the same few
 * filters (none, a search, a group) come back page after page. A count is remembered with the
 * collection's generation at the moment it was asked for, so a count that raced with a write
 * is never used after it. Lists that ask for the same count while it is being read wait for
 * that one reading, rather than each reading it again.
 */
const MAX_REMEMBERED = 1000;

export class CountCache {
  #generation = 0;
  readonly #counts = new Map<string, { generation: number; count: number }>();
  readonly #reading = new Map<string, { generation: number; count: Promise<number> }>();

  /** The count for `key`: remembered, being read already, or read now with `read`. */
  async count(key: string, read: () => Promise<number>): Promise<number> {
    const known = this.get(key);
    if (known !== undefined) return known;
    const generation = this.#generation;
    const reading = this.#reading.get(key);
    if (reading && reading.generation === generation) return reading.count;
    const count = read();
    this.#reading.set(key, { generation, count });
    try {
      const counted = await count;
      this.remember(key, generation, counted);
      return counted;
    } finally {
      if (this.#reading.get(key)?.count === count) this.#reading.delete(key);
    }
  }

  /** The collection's generation now: pass it to remember() with a count asked for now. */
  get generation(): number {
    return this.#generation;
  }

  /** The count for `key`, if it was computed since the collection last changed. */
  get(key: string): number | undefined {
    const known = this.#counts.get(key);
    return known && known.generation === this.#generation ? known.count : undefined;
  }

  remember(key: string, generation: number, count: number): void {
    if (generation !== this.#generation) return;
    if (this.#counts.size >= MAX_REMEMBERED) this.#counts.clear();
    this.#counts.set(key, { generation, count });
  }

  /** The collection changed: every count remembered so far may be wrong. */
  changed(): void {
    this.#generation += 1;
    this.#counts.clear();
    this.#reading.clear();
  }
}
