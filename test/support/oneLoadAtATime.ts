/**
 * Load and fault tests measure catch-up times on a machine of two cores: two of them at once
 * (tap runs test files side by side) would each slow the other's servers and roles, and
 * their bounds would measure the neighbour. Each takes this lock, a file in the temporary
 * folder holding its process id, for as long as its test runs; a lock whose process is gone
 * is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Test } from "tap";

const LOCK = join(tmpdir(), "customers-load-tests.lock");

export async function oneLoadAtATime(t: Test): Promise<void> {
  const mine = String(process.pid);
  for (;;) {
    try {
      writeFileSync(LOCK, mine, { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!isAlive(Number(readFileSync(LOCK, "utf8").trim()))) {
        rmSync(LOCK, { force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  t.teardown(() => {
    try {
      if (readFileSync(LOCK, "utf8").trim() === mine) rmSync(LOCK, { force: true });
    } catch {
      // Already gone.
    }
  });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
