/** Deletes expired sessions now and then, so a store of abandoned sessions does not grow forever. */
import type { Logger } from "../logger.js";
import type { SessionStore } from "./port.js";

export const SESSION_SWEEP_INTERVAL_MS = 10 * 60_000;

export function sweepExpiredSessions(store: SessionStore, logger: Logger, intervalMs = SESSION_SWEEP_INTERVAL_MS): { stop(): void } {
  const timer = setInterval(() => {
    store.deleteExpired(new Date()).catch((error: unknown) => logger.warn({ err: error }, "deleting expired sessions failed; retrying later"));
  }, intervalMs);
  // Housekeeping only: it must not keep a stopping process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
