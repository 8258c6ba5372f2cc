/**
 * The real servers the cluster suites run against, taken from the environment:
 * KAFKA_BROKERS and MONGODB_URL (started by scripts/servers/*.sh in CI), KURRENTDB_URL.
 * A suite whose servers are not configured is reported as skipped, with the reason.
 */
import type { Test } from "tap";

export const kafkaBrokers = (process.env.KAFKA_BROKERS ?? "").split(",").filter(Boolean);
export const mongodbUrl = process.env.MONGODB_URL ?? "";
export const kurrentdbUrl = process.env.KURRENTDB_URL ?? "";

/** Skips the whole file (and says why, on stderr too) unless every named server is configured. */
export function requireServers(t: Test, suite: string, needs: Array<"kafka" | "mongodb" | "kurrentdb">): boolean {
  const missing = needs.filter(
    (need) => (need === "kafka" && kafkaBrokers.length === 0) || (need === "mongodb" && !mongodbUrl) || (need === "kurrentdb" && !kurrentdbUrl),
  );
  if (missing.length === 0) return true;
  const variables = missing.map((need) => ({ kafka: "KAFKA_BROKERS", mongodb: "MONGODB_URL", kurrentdb: "KURRENTDB_URL" })[need]);
  const reason = `${suite} SKIPPED: set ${variables.join(" and ")} to run it against real servers`;
  console.error(reason);
  t.test(suite, { skip: reason }, async () => {});
  return false;
}
