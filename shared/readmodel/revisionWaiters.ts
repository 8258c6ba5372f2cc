/**
 * Callers waiting for a document to reach a revision, woken by whoever learns that it has
 * (the in-memory read model when it stores a document; the MongoDB read model when the
 * projector's notice arrives). Register before checking the current state, so that a
 * notice arriving in between is not missed.
 */
interface Waiter {
  revision: number;
  wake: (arrived: boolean) => void;
}

export interface PendingWait {
  /** true once notified of the revision or a later one; false when the time ran out or it was cancelled. */
  arrived: Promise<boolean>;
  cancel(): void;
}

export class RevisionWaiters {
  readonly #waiters = new Map<string, Set<Waiter>>();

  register(id: string, revision: number, timeoutMs: number): PendingWait {
    let waiter!: Waiter;
    const arrived = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => waiter.wake(false), timeoutMs);
      waiter = {
        revision,
        wake: (value) => {
          clearTimeout(timer);
          this.#remove(id, waiter);
          resolve(value);
        },
      };
    });
    const waiters = this.#waiters.get(id) ?? new Set<Waiter>();
    waiters.add(waiter);
    this.#waiters.set(id, waiters);
    return { arrived, cancel: () => waiter.wake(false) };
  }

  notify(id: string, revision: number): void {
    const waiters = this.#waiters.get(id);
    if (!waiters) return;
    for (const waiter of waiters) if (revision >= waiter.revision) waiter.wake(true);
  }

  /** Wakes every waiter with "not arrived" (on shutdown). */
  releaseAll(): void {
    for (const waiters of this.#waiters.values()) for (const waiter of waiters) waiter.wake(false);
  }

  #remove(id: string, waiter: Waiter): void {
    const waiters = this.#waiters.get(id);
    waiters?.delete(waiter);
    if (waiters?.size === 0) this.#waiters.delete(id);
  }
}

/** The shared shape of a collection's `waitFor` on top of a getter and the waiters. */
export async function waitForRevision<T extends { revision: number }>(
  waiters: RevisionWaiters,
  get: () => Promise<T | null>,
  id: string,
  revision: number,
  timeoutMs: number,
): Promise<T | null> {
  const pending = waiters.register(id, revision, timeoutMs);
  const current = await get();
  if (current && current.revision >= revision) {
    pending.cancel();
    return current;
  }
  if (!(await pending.arrived)) return null;
  const arrived = await get();
  return arrived && arrived.revision >= revision ? arrived : null;
}
