/**
 * Runs tasks that share a key one after another, and tasks of different keys freely. Writes to
 * one stream from one process queue up here instead of racing each other to the store, where
 * all but one would lose, read again and retry (32 concurrent updates of one customer would
 * otherwise cost hundreds of reads and appends, and many would run out of attempts).
 */
export class OneAtATime {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    // The last task of a key removes it, so the map holds only keys with work queued.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or queued. */
  get size(): number {
    return this.#tails.size;
  }
}
