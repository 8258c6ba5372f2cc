/**
 * The real servers the cluster suites run against, taken from the environment:
 * KAFKA_BROKERS, MONGODB_URL and POSTGRES_URL (started by scripts/servers/*.sh in CI), KURRENTDB_URL.
 * A suite whose servers are not configured is reported as skipped, with the reason.
 */
import type { Test } from "tap";

export const kafkaBrokers = (process.env.KAFKA_BROKERS ?? "").split(",").filter(Boolean);
export const mongodbUrl = process.env.MONGODB_URL ?? "";
export const kurrentdbUrl = process.env.KURRENTDB_URL ?? "";
export const postgresUrl = process.env.POSTGRES_URL ?? "";

type Server = "kafka" | "mongodb" | "kurrentdb" | "postgres";
const VARIABLES: Record<Server, string> = { kafka: "KAFKA_BROKERS", mongodb: "MONGODB_URL", kurrentdb: "KURRENTDB_URL", postgres: "POSTGRES_URL" };

function configured(server: Server): boolean {
  return server === "kafka" ? kafkaBrokers.length > 0 : Boolean({ mongodb: mongodbUrl, kurrentdb: kurrentdbUrl, postgres: postgresUrl }[server]);
}

/** Skips the whole file (and says why, on stderr too) unless every named server is configured. */
export function requireServers(t: Test, suite: string, needs: Server[]): boolean {
  const missing = needs.filter((need) => !configured(need));
  if (missing.length === 0) return true;
  const variables = missing.map((need) => VARIABLES[need]);
  const reason = `${suite} SKIPPED: set ${variables.join(" and ")} to run it against real servers`;
  console.error(reason);
  t.test(suite, { skip: reason }, async () => {});
  return false;
}
