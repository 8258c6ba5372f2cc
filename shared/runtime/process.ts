/** Keeps a role running until SIGTERM or SIGINT, then stops it gracefully (once). */
export async function runUntilSignalled(service: { stop(): Promise<void> }): Promise<void> {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal} received: finishing in-flight work and stopping`);
    try {
      await service.stop();
      process.exit(0);
    } catch (error) {
      console.error("Shutdown failed:", error);
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
