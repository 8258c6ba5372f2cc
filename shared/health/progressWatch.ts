/**
 * Tells a role that is slow from one that has stopped: it is given, now and then, how far the
 * role has got (any marker that changes when it makes progress) and whether work is waiting;
 * it answers how long work has been waiting with the marker standing still. Pure: the caller
 * passes the time.
 */
export class ProgressWatch {
  #marker: string | undefined;
  #idleOrMovedAt: number | undefined;
  #waiting = false;

  observe(marker: string, workWaiting: boolean, now: number): void {
    // The stall counts from the last move, or from the first look that found work waiting.
    if (this.#idleOrMovedAt === undefined || marker !== this.#marker || !this.#waiting || !workWaiting) this.#idleOrMovedAt = now;
    this.#marker = marker;
    this.#waiting = workWaiting;
  }

  /** How long work has been waiting without any progress; 0 when there is none waiting or it moves. */
  stalledFor(now: number): number {
    return this.#waiting && this.#idleOrMovedAt !== undefined ? now - this.#idleOrMovedAt : 0;
  }
}
