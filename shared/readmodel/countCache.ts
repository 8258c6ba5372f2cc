/**
 * The counts a read model has computed for list filters, each valid until the collection
 * next changes. A list answers its page and how many documents match in all; on a large
 * collection the count reads every match while the page reads only its rows, and the same few
 * filters (none, a search, a group) come back page after page. A count is remembered with the
 * collection's generation at the moment it was asked for, so a count that raced with a write
 * is never used after it.
 */
const MAX_REMEMBERED = 1000;

export class CountCache {
  #generation = 0;
  readonly #counts = new Map<string, { generation: number; count: number }>();

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
  }
}
