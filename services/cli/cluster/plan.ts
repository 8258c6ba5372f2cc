/**
 * Which processes a local cluster runs and the settings each one gets: one set shared by
 * all (the servers, DATA_DIR, JWT_SECRET, the master key), and each its own port. Pure.
 */
import type { ClusterOptions } from "./options.js";
import { serverPort } from "./servers.js";

export type Role = "command" | "publisher" | "projector";

export interface RolePlan {
  /** How its log lines and messages name it: command-1, publisher, projector-2. */
  name: string;
  role: Role;
  /** The whole environment the process runs with. */
  env: Record<string, string>;
  /** The port of its HTTP API (command) or its GET /health (publisher, projector). */
  port: number;
  healthUrl: string;
}

/** The local servers scripts/servers/*.sh start, on the ports their variables (KAFKA_PORT, FERRETDB_PORT) name. */
export function localServers(env: Record<string, string | undefined>): { kafkaBrokers: string; mongodbUrl: string } {
  return { kafkaBrokers: `127.0.0.1:${serverPort("kafka", env)}`, mongodbUrl: `mongodb://127.0.0.1:${serverPort("ferretdb", env)}` };
}

/** What every role of one cluster must agree on. */
export interface SharedSettings {
  /** Absolute. */
  dataDir: string;
  kafkaBrokers: string;
  mongodbUrl: string;
  /** Set only when the master key must travel in the environment (PostgreSQL: see plan). */
  encryptionKey?: string;
}

/**
 * The roles in the order they start: the command services first (the first one makes the
 * event store's tables), then the publisher and the projectors. Ports are one block from
 * options.port: the command services', the publisher's health, the projectors' health.
 * `env` is the environment the cluster was started with; every role gets it, but PORT and
 * HEALTH_PORT are each process's own.
 */
export function planCluster(options: ClusterOptions, shared: SharedSettings, env: Record<string, string | undefined>): RolePlan[] {
  const host = env.HOST || "127.0.0.1";
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && key !== "PORT" && key !== "HEALTH_PORT") base[key] = value;
  Object.assign(base, {
    DATA_DIR: shared.dataDir,
    KAFKA_BROKERS: shared.kafkaBrokers,
    MONGODB_URL: shared.mongodbUrl,
    ...(shared.encryptionKey ? { ENCRYPTION_KEY: shared.encryptionKey } : {}),
  });
  const url = (port: number, path: string) => `http://${reachable(host)}:${port}${path}`;
  const plans: RolePlan[] = [];
  for (let i = 0; i < options.commands; i += 1) {
    const port = options.port + i;
    plans.push({ name: `command-${i + 1}`, role: "command", env: { ...base, PORT: String(port) }, port, healthUrl: url(port, "/health") });
  }
  const publisherPort = options.port + options.commands;
  plans.push({ name: "publisher", role: "publisher", env: { ...base, HEALTH_PORT: String(publisherPort) }, port: publisherPort, healthUrl: url(publisherPort, "/health") });
  for (let i = 0; i < options.projectors; i += 1) {
    const port = publisherPort + 1 + i;
    plans.push({ name: `projector-${i + 1}`, role: "projector", env: { ...base, HEALTH_PORT: String(port) }, port, healthUrl: url(port, "/health") });
  }
  return plans;
}

/** An address to call a server on that listens on `host` (every address: this machine's loopback). */
export function reachable(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
