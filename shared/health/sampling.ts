/**
 * Runs a health sample now and then in the background, so that GET /health answers at once
 * from the latest sample even when a server it asks is frozen. A sample that fails (or takes
 * longer than its interval) is an ongoing failure until one succeeds.
 */
import { type OngoingFailure, failureSince } from "./report.js";

export interface Sampling {
  failure(): OngoingFailure | undefined;
  /** Takes a fresh sample now (after the one in progress, if any); resolves once it is taken. */
  sampleNow(): Promise<void>;
  stop(): void;
}

export function startSampling(sample: () => Promise<void>, everyMs: number, now: () => number = Date.now): Sampling {
  let failure: OngoingFailure | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const once = async () => {
    let deadline: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sample(),
        new Promise((_, reject) => {
          deadline = setTimeout(() => reject(new Error(`no answer within ${everyMs} ms`)), everyMs);
        }),
      ]);
      failure = undefined;
    } catch (error) {
      failure = failureSince(failure, error, now());
    } finally {
      clearTimeout(deadline);
    }
    if (!stopped) {
      // A sample asked for in between may have set a timer already: one timer at a time.
      clearTimeout(timer);
      timer = setTimeout(next, everyMs).unref();
    }
  };
  // One sample at a time: a sample asked for while one runs follows it.
  const next = (): Promise<void> => {
    clearTimeout(timer);
    running = running.then(once);
    return running;
  };
  void next();
  return {
    failure: () => failure,
    sampleNow: () => (stopped ? Promise.resolve() : next()),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
