/**
 * The environment variables loadSettings reads, a line on each, for the entry points' --help.
 * Their defaults are not written here: they are taken from what loadSettings makes of an
 * environment without them, so that the help cannot drift from the code. A unit test checks
 * that every variable loadSettings reads is described.
 */
import { type ClusterSettings, type PostgresSettings, type Settings, loadSettings } from "./config.js";
import { type VariablesSection, formatVariables } from "./runtime/cli.js";

/** The processes whose help lists the variables (the command-line tools describe theirs in prose). */
export type Role = "command" | "publisher" | "projector" | "group-counts";

export interface ConfigVariable {
  name: string;
  meaning: string;
  /** Its default, from the settings of an environment that does not set it; none when undefined. */
  fallback?: (defaults: Defaults) => string | number;
  /** The roles it matters to (default: the section's). */
  roles?: readonly Role[];
}

interface Defaults {
  settings: Settings;
  cluster: ClusterSettings;
  postgres: PostgresSettings;
}

interface Section {
  title: string;
  roles: readonly Role[];
  variables: readonly ConfigVariable[];
}

const ALL: readonly Role[] = ["command", "publisher", "projector", "group-counts"];
const SERVICE: readonly Role[] = ["command", "publisher", "projector"];

export const CONFIG_SECTIONS: readonly Section[] = [
  {
    title: "The process",
    roles: ALL,
    variables: [
      { name: "NODE_ENV", meaning: "development, production or test", fallback: (d) => d.settings.environment },
      { name: "LOG_LEVEL", meaning: "fatal, error, warn, info, debug, trace or silent", fallback: (d) => d.settings.logLevel },
      { name: "PORT", meaning: "the HTTP port", fallback: (d) => d.settings.port, roles: ["command", "group-counts"] },
      { name: "HOST", meaning: "the address to listen on (0.0.0.0: any)", fallback: (d) => d.settings.host },
      { name: "HEALTH_PORT", meaning: "port of GET /health (0: none)", fallback: (d) => d.settings.healthPort, roles: ["publisher", "projector"] },
      { name: "UNHEALTHY_AFTER_MS", meaning: "failing for this long makes GET /health say so", fallback: (d) => d.settings.unhealthyAfterMs, roles: SERVICE },
    ],
  },
  {
    title: "Where the data is",
    roles: SERVICE,
    variables: [
      { name: "DATA_DIR", meaning: "the SQLite files: events, read model, keys", fallback: (d) => `./${d.settings.dataDir.split(/[\\/]/).at(-1)}` },
      { name: "ENCRYPTION_KEY", meaning: "master key, hex (unset: DATA_DIR/master.key)" },
      { name: "KURRENTDB_URL", meaning: "events in KurrentDB: kurrentdb://host:2113?tls=false" },
      { name: "POSTGRES_URL", meaning: "events in PostgreSQL: postgres://user:pw@host/db" },
      { name: "POSTGRES_SCHEMA", meaning: "schema of the events and checkpoints", fallback: (d) => d.postgres.schema },
      { name: "KEYS_POSTGRES_SCHEMA", meaning: "schema of the customers' data keys", fallback: (d) => d.postgres.keysSchema },
      { name: "POSTGRES_TIMEOUT_MS", meaning: "longest wait of one PostgreSQL operation", fallback: (d) => d.postgres.timeoutMs },
      { name: "POSTGRES_POOL_SIZE", meaning: "connections each process keeps open", fallback: (d) => d.postgres.poolSize },
    ],
  },
  {
    title: "The HTTP API",
    roles: ["command"],
    variables: [
      { name: "JWT_SECRET", meaning: "signs admin tokens (unset: a development default)" },
      { name: "TRUST_PROXY", meaning: "proxies believed: true, a hop count or addresses" },
      { name: "BODY_LIMIT_BYTES", meaning: "largest request body (413 above)", fallback: (d) => d.settings.bodyLimitBytes },
      { name: "READ_MODEL_WAIT_MS", meaning: "how long a write waits for the read model", fallback: (d) => d.settings.readModelWaitMs },
      { name: "STATE_CACHE_MB", meaning: "memory for the streams' latest states", fallback: (d) => d.settings.stateCacheBytes / 1024 / 1024 },
      { name: "RESERVATION_GRACE_MS", meaning: "a reservation alone counts as a create this long", fallback: (d) => d.settings.reservationGraceMs },
      { name: "READ_CACHE_MAX_DOCUMENTS", meaning: "read-model documents kept parsed in memory", fallback: (d) => d.settings.readCacheMaxDocuments },
      { name: "EVENT_STREAMS_MAX", meaning: "GET /admin/events streams open at once", fallback: (d) => d.settings.eventStreamsMax },
      { name: "METRICS_TOKEN", meaning: "bearer token of GET /metrics (unset: no /metrics)" },
      { name: "COOKIE_SECRET", meaning: "signs session cookies (unset: from JWT_SECRET)" },
      { name: "SESSION_COOKIE_NAME", meaning: "name of the session cookie", fallback: (d) => d.settings.auth.sessionCookieName },
      { name: "SESSION_TTL_MS", meaning: "lifetime of a session, from login", fallback: (d) => d.settings.auth.sessionTtlMs },
      { name: "ADMIN_CORS", meaning: "origins allowed to call /admin, comma-separated" },
      { name: "AUTH_CORS", meaning: "the same for /auth" },
      { name: "LOGIN_MAX_FAILURES_PER_EMAIL", meaning: "failed logins per email and client before a wait", fallback: (d) => d.settings.auth.loginMaxFailuresPerEmail },
      { name: "LOGIN_MAX_FAILURES_PER_CLIENT", meaning: "failed logins per client before a pause", fallback: (d) => d.settings.auth.loginMaxFailuresPerClient },
      { name: "LOGIN_FAILURE_WINDOW_MS", meaning: "the longest wait, and the window of the counts", fallback: (d) => d.settings.auth.loginFailureWindowMs },
    ],
  },
  {
    title: "Cluster mode (KAFKA_BROKERS and MONGODB_URL, set together)",
    roles: ALL,
    variables: [
      { name: "KAFKA_BROKERS", meaning: "Kafka servers, comma-separated: 127.0.0.1:9092" },
      { name: "MONGODB_URL", meaning: "MongoDB: mongodb://127.0.0.1:27017" },
      { name: "MONGODB_DATABASE", meaning: "database of the read model", fallback: (d) => d.cluster.mongodbDatabase, roles: SERVICE },
      { name: "KEYS_MONGODB_DATABASE", meaning: "database of the data keys, with KURRENTDB_URL", fallback: (d) => d.cluster.keysMongodbDatabase, roles: SERVICE },
      { name: "MONGODB_TIMEOUT_MS", meaning: "longest wait of one MongoDB operation", fallback: (d) => d.cluster.mongodbTimeoutMs },
      { name: "KAFKA_CLIENT_ID", meaning: "Kafka client id", fallback: (d) => d.cluster.kafkaClientId },
      { name: "KAFKA_TOPIC_PARTITIONS", meaning: "partitions of the topics made when missing", fallback: (d) => d.cluster.kafkaTopicPartitions },
      { name: "KAFKA_REPLICATION_FACTOR", meaning: "replication factor of those topics", fallback: (d) => d.cluster.kafkaReplicationFactor },
      { name: "EVENTS_TOPIC", meaning: "topic of the customer events", fallback: (d) => d.settings.eventsTopic },
      { name: "MEDUSA_EVENTS_TOPIC", meaning: 'the same under Medusa\'s names ("": none)', fallback: (d) => d.settings.medusaEventsTopic, roles: ["command", "publisher"] },
      { name: "PROJECTOR_GROUP_ID", meaning: "the projectors' consumer group", fallback: (d) => d.cluster.projectorGroupId, roles: ["command", "projector"] },
      { name: "READ_MODEL_NOTICES_TOPIC", meaning: "topic of the projector's notices", fallback: (d) => d.cluster.readModelNoticesTopic, roles: ["command", "projector"] },
      { name: "READ_CACHE_TTL_MS", meaning: "how long a read-model copy is used", fallback: (d) => d.cluster.readCacheTtlMs, roles: ["command"] },
    ],
  },
];

/** What loadSettings makes of an environment that sets nothing (the cluster's and PostgreSQL's parts with only what they need). */
function defaults(): Defaults {
  const key = { ENCRYPTION_KEY: "00".repeat(32) };
  return {
    settings: loadSettings({}, "/"),
    cluster: loadSettings({ KAFKA_BROKERS: "kafka:9092", MONGODB_URL: "mongodb://mongodb" }, "/").cluster!,
    postgres: loadSettings({ ...key, POSTGRES_URL: "postgres://postgres/db" }, "/").postgres!,
  };
}

/**
 * The environment part of a role's --help: each variable that role reads, as NAME=default
 * (or NAME when it has none) and what it is, under the headings of CONFIG_SECTIONS, then
 * the role's own, if any.
 */
export function variablesHelp(role: Role, own?: VariablesSection): string {
  const values = defaults();
  const sections: VariablesSection[] = CONFIG_SECTIONS.map((section) => ({
    title: section.title,
    variables: section.variables
      .filter((variable) => (variable.roles ?? section.roles).includes(role))
      .map(({ name, meaning, fallback }) => ({ name, meaning, ...(fallback && { fallback: fallback(values) }) })),
  }));
  return formatVariables(own ? [...sections, own] : sections, 'README, "Configuration", says more');
}
