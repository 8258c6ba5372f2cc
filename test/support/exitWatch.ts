/**
 * For a suite that runs servers in its own process: if the process is still running a while
 * after its last test and teardown, something it started was left open (a socket, a pool, a
 * timer). tap would wait for its file timeout and say only "timeout!"; this prints what keeps
 * the process running and ends it with a failure at once.
 */
import type { Test } from "tap";

export function failIfStillRunningAfter(t: Test, ms = 15_000): void {
  t.teardown(() => {
    const timer = setTimeout(() => {
      const open = process.getActiveResourcesInfo().filter((kind) => kind !== "Timeout");
      console.error(`still running ${ms} ms after the last test; open: ${open.join(", ") || "(nothing named)"}`);
      for (const handle of (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles()) {
        const socket = handle as { constructor?: { name?: string }; remoteAddress?: string; remotePort?: number; localPort?: number };
        console.error(`  ${socket.constructor?.name ?? "handle"}${socket.remotePort ? ` to ${socket.remoteAddress}:${socket.remotePort}` : ""}${socket.localPort ? ` from port ${socket.localPort}` : ""}`);
      }
      process.exit(1);
    }, ms);
    // Only a process kept running by something else gets here.
    timer.unref();
  });
}
