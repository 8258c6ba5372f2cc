/**
 * The folded state of a stream at every `every`-th revision, kept for the streams read last,
 * so that a page deep in a long history folds from the nearest checkpoint before it instead of
 * from the stream's first event: the newest 50 entries of a 10,000-event history fold a few
 * hundred events, not 10,000.
 *
 * Events never change once written, so a checkpoint never goes stale. States must be immutable
 * (the evolvers only ever build new objects): a checkpoint is shared with every read after it.
 * Bounded by the number of checkpoints held, least recently read stream first out.
 */

export interface Checkpoint<State> {
  /** The state after this revision's event. */
  revision: number;
  state: State;
}

export interface FoldCheckpointsOptions {
  /** A checkpoint after every this many events of a stream. */
  every: number;
  /** Checkpoints held over all streams together. */
  maxCheckpoints: number;
}

export class FoldCheckpoints {
  /** Map order is insertion order: re-inserting on every read keeps the oldest use first. */
  readonly #streams = new Map<string, Map<number, unknown>>();
  readonly #every: number;
  readonly #max: number;
  #held = 0;

  constructor({ every, maxCheckpoints }: FoldCheckpointsOptions) {
    this.#every = every;
    this.#max = maxCheckpoints;
  }

  /** Whether the state after `revision` is one to keep. */
  isCheckpoint(revision: number): boolean {
    return (revision + 1) % this.#every === 0;
  }

  /** The latest checkpoint strictly before `revision` (the state to fold `revision` onto). */
  before<State>(stream: string, revision: number): Checkpoint<State> | undefined {
    const states = this.#streams.get(stream);
    if (!states) return undefined;
    this.#streams.delete(stream);
    this.#streams.set(stream, states);
    for (let at = Math.floor(revision / this.#every) * this.#every - 1; at >= 0; at -= this.#every) {
      if (states.has(at)) return { revision: at, state: states.get(at) as State };
    }
    return undefined;
  }

  keep(stream: string, revision: number, state: unknown): void {
    let states = this.#streams.get(stream);
    if (!states) this.#streams.set(stream, (states = new Map()));
    if (states.has(revision)) return;
    states.set(revision, state);
    this.#held += 1;
    this.#evict(stream);
  }

  /** Drops the stream's checkpoints (its folded states may no longer be shown). */
  forget(stream: string): void {
    const states = this.#streams.get(stream);
    if (!states) return;
    this.#streams.delete(stream);
    this.#held -= states.size;
  }

  get size(): number {
    return this.#held;
  }

  #evict(reading: string): void {
    for (const [stream, states] of this.#streams) {
      if (this.#held <= this.#max) return;
      // The stream being read keeps its checkpoints unless it alone is over the bound.
      if (stream === reading && this.#streams.size > 1) continue;
      this.#streams.delete(stream);
      this.#held -= states.size;
    }
  }
}
