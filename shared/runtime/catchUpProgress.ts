/**
 * A read model catching up with the event store at start (a first start on a large store, or
 * after a long stop) can take minutes, with the port not open yet. Every few seconds until it
 * is done, a line says how far it has come, how fast, and how long is left; a catch-up shorter
 * than the first interval says nothing.
 */
import type { GlobalPosition } from "../eventstore/port.js";
import type { Logger } from "../logger.js";
import { RebuildProgress } from "../readmodel/rebuildProgress.js";

export const CATCH_UP_REPORT_EVERY_MS = 2_000;

export interface CatchUpReport {
  /** The pipeline's word after each batch it projected. */
  projected(events: number, position: GlobalPosition | undefined): void;
  stop(): void;
}

export function reportCatchUp(
  logger: Logger,
  { generation, from, head }: { generation: number; from: GlobalPosition | undefined; head: GlobalPosition | undefined },
  everyMs = CATCH_UP_REPORT_EVERY_MS,
): CatchUpReport {
  // Counted from where the read model stood, not from the log's start.
  const progress = new RebuildProgress(generation, head, Date.now(), from);
  const timer = setInterval(() => {
    const view = progress.view(Date.now());
    logger.info(
      {
        position: view.position ?? from ?? null,
        head_position: view.head_position,
        events: view.events,
        events_per_second: view.events_per_second,
        eta_seconds: view.eta_seconds,
        percent: Math.floor(view.progress * 100),
      },
      "catching up with the event store before answering requests",
    );
  }, everyMs);
  // A report only: it must not keep a process alive.
  timer.unref();
  let stopped = false;
  return {
    // The pipeline goes on after the catch-up: what it says then is not this report's.
    projected: (events, position) => {
      if (!stopped) progress.projected(events, position, Date.now());
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
