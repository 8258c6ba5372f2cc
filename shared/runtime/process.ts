import type { ProcessLogger } from "../logging.js";

/** Keeps a role running until SIGTERM or SIGINT, then stops it gracefully (once). */
export async function runUntilSignalled(service: { stop(): Promise<void> }, logger: ProcessLogger): Promise<void> {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: finishing in-flight work");
    try {
      await service.stop();
      logger.info("stopped");
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
