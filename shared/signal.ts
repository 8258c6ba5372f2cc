/**
 * A level-free wake-up call: `next()` returns a promise settled by the following
 * `notify()`. Take the promise before checking for work, so a notify that happens
 * while you check is never missed.
 */
export class Signal {
  #resolve!: () => void;
  #promise: Promise<void> = this.#fresh();

  #fresh(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
    });
  }

  next(): Promise<void> {
    return this.#promise;
  }

  notify(): void {
    const resolve = this.#resolve;
    this.#promise = this.#fresh();
    resolve();
  }
}
