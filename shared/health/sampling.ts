/**
 * Runs a health sample now and then in the background, so that GET /health answers at once
 * from the latest sample even when a server it asks is frozen. A sample that fails (or takes
 * longer than its interval) is an ongoing failure until one succeeds.
 */
import { type OngoingFailure, failureSince } from "./report.js";

export interface Sampling {
  failure(): OngoingFailure | undefined;
  stop(): void;
}

export function startSampling(sample: () => Promise<void>, everyMs: number, now: () => number = Date.now): Sampling {
  let failure: OngoingFailure | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
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
    if (!stopped) timer = setTimeout(once, everyMs).unref();
  };
  void once();
  return {
    failure: () => failure,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
