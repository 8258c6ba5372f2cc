/**
 * Stopping a process's parts one after the other, each even when one before it failed: a
 * stop that gave up at its first error would leave what comes after it open (a port, a
 * connection pool, a thread), and an open port or pool keeps the process from exiting. The
 * first error is thrown once every part has been asked to stop, with any others beside it.
 */
export async function stopInOrder(steps: ReadonlyArray<() => unknown>): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} parts failed to stop`);
}
