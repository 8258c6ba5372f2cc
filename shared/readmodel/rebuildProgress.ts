/**
 * How far a rebuild of the read model has come: the log position its new generation has
 * reached against the log's head, the events projected, their rate over the last seconds and
 * the time left at that rate. Pure bookkeeping, fed by the rebuild and read by whoever shows it.
 */
import type { GlobalPosition } from "../eventstore/port.js";
import { positionNumber } from "../eventstore/positions.js";

export type RebuildState = "building" | "switching" | "done" | "failed";

/** As `GET /admin/projections` shows it. */
export interface RebuildView {
  /** The generation being built (then serving, once done). */
  generation: number;
  state: RebuildState;
  started_at: string;
  finished_at: string | null;
  /** The log position the new generation has reached. */
  position: GlobalPosition | null;
  /** The log's head when the rebuild started: the new generation serves once it is there and past the serving one. */
  head_position: GlobalPosition | null;
  /** Events projected into the new generation so far. */
  events: number;
  events_per_second: number;
  /** Seconds left at the current rate; null while there is no rate yet. */
  eta_seconds: number | null;
  /** From 0 to 1: the share of the log up to the head the new generation has read. */
  progress: number;
  error: string | null;
}

interface Sample {
  at: number;
  events: number;
  position: number;
}

/** Rates over this many milliseconds of the latest batches. */
const RATE_WINDOW_MS = 5_000;

export class RebuildProgress {
  #state: RebuildState = "building";
  #events = 0;
  #position: GlobalPosition | undefined;
  #finishedAt: number | undefined;
  #error: string | undefined;
  readonly #samples: Sample[];

  /** Where the log's positions start, as a number: progress is counted from there. */
  readonly #origin: number;

  /**
   * `first`: the position of the log's first event. A SQLite log counts from 1, so it changes
   * little there; a PostgreSQL log's positions start at the transaction id its first event was
   * written in, which may be millions on a server that did other work first.
   */
  constructor(
    readonly generation: number,
    readonly head: GlobalPosition | undefined,
    readonly startedAt: number,
    first?: GlobalPosition,
  ) {
    this.#origin = Math.max(0, positionNumber(first) - 1);
    this.#samples = [{ at: startedAt, events: 0, position: this.#origin }];
  }

  get state(): RebuildState {
    return this.#state;
  }

  projected(events: number, position: GlobalPosition | undefined, now: number): void {
    this.#events += events;
    if (position !== undefined) this.#position = position;
    this.#samples.push({ at: now, events: this.#events, position: positionNumber(this.#position) });
    while (this.#samples.length > 2 && now - this.#samples[1]!.at > RATE_WINDOW_MS) this.#samples.shift();
  }

  switching(): void {
    this.#state = "switching";
  }

  done(now: number): void {
    this.#state = "done";
    this.#finishedAt = now;
  }

  failed(error: unknown, now: number): void {
    this.#state = "failed";
    this.#finishedAt = now;
    this.#error = error instanceof Error ? error.message : String(error);
  }

  view(now: number): RebuildView {
    const first = this.#samples[0]!;
    const last = this.#samples.at(-1)!;
    const seconds = (Math.max(last.at, this.#finishedAt ?? now) - first.at) / 1000;
    const eventsPerSecond = seconds > 0 ? (last.events - first.events) / seconds : 0;
    const positionsPerSecond = seconds > 0 ? (last.position - first.position) / seconds : 0;
    const head = positionNumber(this.head);
    const left = Math.max(0, head - last.position);
    const span = head - this.#origin;
    const finished = this.#state === "done" || this.#state === "switching";
    return {
      generation: this.generation,
      state: this.#state,
      started_at: new Date(this.startedAt).toISOString(),
      finished_at: this.#finishedAt === undefined ? null : new Date(this.#finishedAt).toISOString(),
      position: this.#position ?? null,
      head_position: this.head ?? null,
      events: this.#events,
      events_per_second: Math.round(eventsPerSecond),
      eta_seconds: finished || left === 0 ? 0 : positionsPerSecond > 0 ? Math.ceil(left / positionsPerSecond) : null,
      progress: finished || span <= 0 ? 1 : Math.min(1, Math.max(0, (last.position - this.#origin) / span)),
      error: this.#error ?? null,
    };
  }
}
