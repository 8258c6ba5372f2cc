/**
 * Decided state by stream revision, so that a write reads only the events appended since the
 * state it last saw, not the whole history of its stream: a customer with 10,000 events is
 * updated as cheaply as a new one.
 *
 * The cache is only ever a starting point. A load still reads everything after the cached
 * revision, and the append still expects the revision the state was folded to, so a stale or
 * wrong entry costs a retry, never a lost or duplicated write. States must be immutable (the
 * deciders and evolvers only ever build new objects); a cached state is shared by every
 * write that starts from it.
 *
 * Bounded by an estimate of its size in bytes (the JSON length of each state), least recently
 * used first out.
 */

export interface CachedState<State> {
  revision: number;
  state: State;
}

export interface StreamStateCacheOptions {
  /** Estimated bytes the cached states may take together. */
  maxBytes: number;
}

interface Entry {
  revision: number;
  state: unknown;
  bytes: number;
}

/** Per-entry overhead beyond the state's JSON: the key, the entry and the map's slot. */
const ENTRY_OVERHEAD_BYTES = 200;

export class StreamStateCache {
  /** Map order is insertion order: re-inserting on every hit keeps the oldest use first. */
  readonly #entries = new Map<string, Entry>();
  readonly #maxBytes: number;
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(options: StreamStateCacheOptions) {
    this.#maxBytes = options.maxBytes;
  }

  /** `kind` tells apart the states different aggregates fold from the same stream. */
  get<State>(kind: string, stream: string): CachedState<State> | undefined {
    const key = keyOf(kind, stream);
    const entry = this.#entries.get(key);
    if (!entry) {
      this.#misses += 1;
      return undefined;
    }
    this.#hits += 1;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return { revision: entry.revision, state: entry.state as State };
  }

  /** Keeps the state unless a newer one is cached already (a concurrent write got there first). */
  set<State>(kind: string, stream: string, cached: CachedState<State>): void {
    const key = keyOf(kind, stream);
    const current = this.#entries.get(key);
    if (current && current.revision > cached.revision) return;
    const bytes = estimateBytes(cached.state) + key.length + ENTRY_OVERHEAD_BYTES;
    if (current) this.#remove(key, current);
    // A state larger than the whole budget would only push everything else out.
    if (bytes > this.#maxBytes) return;
    this.#entries.set(key, { revision: cached.revision, state: cached.state, bytes });
    this.#bytes += bytes;
    this.#evictBeyondBudget();
  }

  /** Forgets a stream's state, for example after an append found the stream elsewhere than expected. */
  delete(kind: string, stream: string): void {
    const key = keyOf(kind, stream);
    const entry = this.#entries.get(key);
    if (entry) this.#remove(key, entry);
  }

  stats(): { entries: number; bytes: number; maxBytes: number; hits: number; misses: number } {
    return { entries: this.#entries.size, bytes: this.#bytes, maxBytes: this.#maxBytes, hits: this.#hits, misses: this.#misses };
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  #evictBeyondBudget(): void {
    for (const [key, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) return;
      this.#remove(key, entry);
    }
  }
}

function keyOf(kind: string, stream: string): string {
  return `${kind}\u0000${stream}`;
}

/** JSON length as a stand-in for memory: cheap next to the write itself, and in proportion to it. */
function estimateBytes(state: unknown): number {
  try {
    return (JSON.stringify(state) ?? "").length * 2;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
