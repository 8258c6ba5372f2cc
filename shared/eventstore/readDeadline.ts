/**
 * A streaming read that cannot hang: each next item must come within `ms`, or the read is
 * abandoned (its iterator returned, which cancels the call underneath) and fails with
 * EventStoreUnavailable. KurrentDB's client reads through a native bridge that ignores its
 * own deadline, so a stalled server would otherwise hold a read for ever.
 */
import { EventStoreUnavailable } from "./port.js";

export async function* withReadDeadline<T>(source: AsyncIterable<T>, ms: number, what: string): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<"expired">((resolve) => {
        timer = setTimeout(() => resolve("expired"), ms);
      });
      const next = iterator.next();
      // Once abandoned, whatever this read settles with no longer matters.
      next.catch(() => undefined);
      const result = await Promise.race([next, expired]).finally(() => clearTimeout(timer));
      if (result === "expired") throw new EventStoreUnavailable(`KurrentDB did not answer ${what} within ${ms} ms`);
      if (result.done) {
        ended = true;
        return;
      }
      yield result.value;
    }
  } finally {
    // Not awaited: a stalled call may never acknowledge its cancellation.
    if (!ended) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
