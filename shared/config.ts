/**
 * Settings, read from the environment once at start-up and passed in from there.
 * Nothing else in the code reads process.env.
 */
import { createHmac } from "node:crypto";
import { resolve } from "node:path";
import { parseMasterKey } from "./crypto/masterKey.js";
import { PROJECTOR_GROUP } from "./readmodel/projector.js";

export type Environment = "development" | "production" | "test";

export interface Settings {
  environment: Environment;
  port: number;
  host: string;
  jwtSecret: string;
  /** True when JWT_SECRET was not set and the development default is in use. */
  jwtSecretIsDefault: boolean;
  dataDir: string;
  bodyLimitBytes: number;
  /**
   * Which peers' X-Forwarded-For and X-Forwarded-Proto are believed (client address for the
   * login limits, HTTPS for Secure cookies): none by default; as Fastify's `trustProxy` takes it.
   */
  trustProxy: TrustProxy;
  /** How long a write waits for the read model before answering from its own events. */
  readModelWaitMs: number;
  /** How long an email reservation without its customer counts as an in-flight create. */
  reservationGraceMs: number;
  /** Memory the command service may use for decided states by stream revision (0: none). */
  stateCacheBytes: number;
  /** Read-model documents a command service keeps parsed in memory, the most recent (0: none). */
  readCacheMaxDocuments: number;
  eventsTopic: string;
  /** Topic that carries the events under Medusa's own names (shared/events/medusaEvents.ts); "" turns it off. */
  medusaEventsTopic: string;
  /** GET /admin/events streams open at once, per command service. */
  eventStreamsMax: number;
  logLevel: string;
  /** Set together: the roles run as separate processes over Kafka and MongoDB. */
  cluster: ClusterSettings | undefined;
  /** KurrentDB connection string; without it (and without POSTGRES_URL) the event store is the SQLite file in DATA_DIR. */
  kurrentdbUrl: string | undefined;
  /** PostgreSQL as the event store (with the checkpoints and key records), instead of the SQLite file or KurrentDB. */
  postgres: PostgresSettings | undefined;
  /**
   * The master key (ENCRYPTION_KEY, 32 bytes as hex or base64) that wraps each customer's data
   * key; undefined: the one kept in DATA_DIR/master.key, made on first start.
   */
  encryptionKey: string | undefined;
  /** Port of the publisher's and projector's health endpoint (0: none). */
  healthPort: number;
  /** How long a role may be unable to do its job before GET /health says so. */
  unhealthyAfterMs: number;
  /** The bearer token GET /metrics asks for (METRICS_TOKEN); undefined: no /metrics at all. */
  metricsToken: string | undefined;
  auth: AuthSettings;
}

export interface PostgresSettings {
  url: string;
  /** The schema of the events and checkpoints (POSTGRES_SCHEMA). */
  schema: string;
  /** The schema of the customers' data keys (KEYS_POSTGRES_SCHEMA): apart from the events, to be backed up on its own terms. */
  keysSchema: string;
  /** The most one PostgreSQL operation may wait, so a stalled server cannot hold requests. */
  timeoutMs: number;
  /** Connections each process keeps open at most. */
  poolSize: number;
}

export interface AuthSettings {
  /** Signs session cookies (express-session's `s:<id>.<signature>`). */
  cookieSecret: string;
  sessionCookieName: string;
  /** Lifetime of a session and of its cookie, from login. */
  sessionTtlMs: number;
  /** Origins allowed to call /admin and /auth from a browser, with credentials (Medusa's adminCors, authCors). */
  adminCors: CorsOrigin[];
  authCors: CorsOrigin[];
  /** Failed logins tolerated within the window, per email and per client address, before 429. */
  loginMaxFailuresPerEmail: number;
  loginMaxFailuresPerClient: number;
  loginFailureWindowMs: number;
}

/** An exact origin, or a pattern written `/.../` as in Medusa's CORS settings. */
export type CorsOrigin = string | RegExp;

export interface ClusterSettings {
  kafkaBrokers: string[];
  kafkaClientId: string;
  /** Partitions of the topics the service creates when they are missing. */
  kafkaTopicPartitions: number;
  kafkaReplicationFactor: number;
  mongodbUrl: string;
  mongodbDatabase: string;
  /** The database of the customers' data keys (KEYS_MONGODB_DATABASE): apart from the read model's, to be backed up on its own terms. */
  keysMongodbDatabase: string;
  /** The most one MongoDB operation may wait, so a stalled server cannot hold requests or the projector. */
  mongodbTimeoutMs: number;
  /** The projectors' consumer group; deployments that share a Kafka cluster each need their own. */
  projectorGroupId: string;
  /** Topic on which the projector announces what the read model holds (read-your-writes across processes). */
  readModelNoticesTopic: string;
  /** How long the command service's copy of a read-model document is used (its size is readCacheMaxDocuments). */
  readCacheTtlMs: number;
}

export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

/** Medusa's own development default, so tokens from a development Medusa work here too. */
export const DEVELOPMENT_JWT_SECRET = "supersecret";

export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Settings {
  const environment = parseEnvironment(env.NODE_ENV);
  const jwtSecret = env.JWT_SECRET ?? "";
  if (environment === "production" && jwtSecret === "") {
    throw new ConfigurationError("JWT_SECRET must be set when NODE_ENV=production (the secret admin tokens are signed with).");
  }
  return {
    environment,
    port: integer(env, "PORT", 9000, { min: 0, max: 65535 }),
    host: env.HOST || "127.0.0.1",
    jwtSecret: jwtSecret || DEVELOPMENT_JWT_SECRET,
    jwtSecretIsDefault: jwtSecret === "",
    dataDir: resolve(cwd, env.DATA_DIR || "data"),
    bodyLimitBytes: integer(env, "BODY_LIMIT_BYTES", 100 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    trustProxy: trustProxy(env.TRUST_PROXY),
    readModelWaitMs: integer(env, "READ_MODEL_WAIT_MS", 5000, { min: 0, max: 60_000 }),
    reservationGraceMs: integer(env, "RESERVATION_GRACE_MS", 30_000, { min: 0, max: 86_400_000 }),
    stateCacheBytes: integer(env, "STATE_CACHE_MB", 64, { min: 0, max: 65_536 }) * 1024 * 1024,
    readCacheMaxDocuments: integer(env, "READ_CACHE_MAX_DOCUMENTS", 50_000, { min: 0, max: 10_000_000 }),
    eventsTopic: env.EVENTS_TOPIC || "customers.events.v1",
    medusaEventsTopic: env.MEDUSA_EVENTS_TOPIC ?? "customers.medusa-events.v1",
    eventStreamsMax: integer(env, "EVENT_STREAMS_MAX", 100, { min: 0, max: 100_000 }),
    logLevel: env.LOG_LEVEL || (environment === "test" ? "silent" : "info"),
    cluster: clusterSettings(env),
    kurrentdbUrl: env.KURRENTDB_URL || undefined,
    postgres: postgresSettings(env),
    encryptionKey: encryptionKey(env, environment),
    healthPort: integer(env, "HEALTH_PORT", 0, { min: 0, max: 65535 }),
    unhealthyAfterMs: integer(env, "UNHEALTHY_AFTER_MS", 20_000, { min: 1_000, max: 3_600_000 }),
    metricsToken: metricsToken(env.METRICS_TOKEN),
    auth: authSettings(env, jwtSecret || DEVELOPMENT_JWT_SECRET),
  };
}

/** A guessable token would publish the service's traffic figures: at least 16 visible characters. */
function metricsToken(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^[\x21-\x7e]{16,}$/.test(value)) throw new ConfigurationError("METRICS_TOKEN must be at least 16 visible ASCII characters (make one with: openssl rand -hex 32).");
  return value;
}

function encryptionKey(env: NodeJS.ProcessEnv, environment: Environment): string | undefined {
  const key = env.ENCRYPTION_KEY || undefined;
  if (key !== undefined) {
    try {
      parseMasterKey(key);
    } catch (error) {
      throw new ConfigurationError(`ENCRYPTION_KEY: ${(error as Error).message}`);
    }
  }
  // Processes that share no DATA_DIR would each make a master key of their own, and could not
  // read each other's data keys.
  for (const variable of ["KURRENTDB_URL", "POSTGRES_URL"]) {
    if (key === undefined && env[variable]) {
      throw new ConfigurationError(`ENCRYPTION_KEY must be set with ${variable}, the same in every process (make one with: ${MAKE_KEY_COMMAND}).`);
    }
  }
  if (key === undefined && environment === "production") {
    throw new ConfigurationError(`ENCRYPTION_KEY must be set when NODE_ENV=production (make one with: ${MAKE_KEY_COMMAND}).`);
  }
  return key;
}

function postgresSettings(env: NodeJS.ProcessEnv): PostgresSettings | undefined {
  const url = env.POSTGRES_URL || undefined;
  if (url === undefined) return undefined;
  if (env.KURRENTDB_URL) throw new ConfigurationError("Set either KURRENTDB_URL or POSTGRES_URL: the events live in one store.");
  if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigurationError("POSTGRES_URL must be a connection string such as postgres://user:password@host:5432/database.");
  const schema = schemaName(env, "POSTGRES_SCHEMA", "customers");
  const keysSchema = schemaName(env, "KEYS_POSTGRES_SCHEMA", `${schema}_keys`);
  if (keysSchema === schema) throw new ConfigurationError("KEYS_POSTGRES_SCHEMA must differ from POSTGRES_SCHEMA: the data keys are kept apart from the events they unlock.");
  return {
    url,
    schema,
    keysSchema,
    timeoutMs: integer(env, "POSTGRES_TIMEOUT_MS", 10_000, { min: 100, max: 600_000 }),
    poolSize: integer(env, "POSTGRES_POOL_SIZE", 10, { min: 1, max: 1_000 }),
  };
}

function schemaName(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) throw new ConfigurationError(`${name} must be a PostgreSQL schema name of lower-case letters, digits and _ (at most 63), not "${value}".`);
  return value;
}

/** How to make a master key, for messages and the README. */
export const MAKE_KEY_COMMAND = `node -e "console.log(require('crypto').randomBytes(32).toString('hex'))"`;

function authSettings(env: NodeJS.ProcessEnv, jwtSecret: string): AuthSettings {
  return {
    // Without its own secret, a key derived from JWT_SECRET: as secret as the tokens are,
    // and never a public default once JWT_SECRET is set.
    cookieSecret: env.COOKIE_SECRET || createHmac("sha256", jwtSecret).update("session cookies").digest("base64url"),
    sessionCookieName: cookieName(env.SESSION_COOKIE_NAME || "connect.sid"),
    sessionTtlMs: integer(env, "SESSION_TTL_MS", 36_000_000, { min: 1000, max: 31 * 86_400_000 }),
    adminCors: corsOrigins(env.ADMIN_CORS),
    authCors: corsOrigins(env.AUTH_CORS),
    loginMaxFailuresPerEmail: integer(env, "LOGIN_MAX_FAILURES_PER_EMAIL", 5, { min: 1, max: 1_000_000 }),
    loginMaxFailuresPerClient: integer(env, "LOGIN_MAX_FAILURES_PER_CLIENT", 50, { min: 1, max: 1_000_000 }),
    loginFailureWindowMs: integer(env, "LOGIN_FAILURE_WINDOW_MS", 900_000, { min: 100, max: 86_400_000 }),
  };
}

/** false, true (every peer: only behind a proxy that overwrites the headers), a hop count, or addresses and CIDR ranges. */
export type TrustProxy = boolean | number | string[];

export function trustProxy(value: string | undefined): TrustProxy {
  const text = (value ?? "").trim();
  if (text === "" || text === "false") return false;
  if (text === "true") return true;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(",").map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split("/");
    const ipv4 = /^(\d{1,3})(\.\d{1,3}){3}$/.test(address!) && address!.split(".").every((part) => Number(part) <= 255);
    const ipv6 = address!.includes(":") && /^[0-9a-fA-F:.]+$/.test(address!);
    const namedRange = ["loopback", "linklocal", "uniquelocal"].includes(address!) && bits === undefined;
    const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (ipv6 ? 128 : 32));
    if (!(ipv4 || ipv6 || namedRange) || !validBits || rest.length > 0) {
      throw new ConfigurationError(`TRUST_PROXY: "${entry}" is not an address, a CIDR range, loopback, linklocal or uniquelocal (or set true, false or a hop count).`);
    }
  }
  return entries;
}

/** Comma-separated origins; an entry written `/.../` (optionally with flags) is a regular expression. */
export function corsOrigins(value: string | undefined): CorsOrigin[] {
  return (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const pattern = /^\/(.+)\/([a-z]*)$/.exec(entry);
      if (!pattern) return entry;
      try {
        return new RegExp(pattern[1]!, pattern[2]);
      } catch {
        throw new ConfigurationError(`"${entry}" in a CORS setting is not a valid regular expression.`);
      }
    });
}

function cookieName(name: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new ConfigurationError(`SESSION_COOKIE_NAME "${name}" is not a valid cookie name.`);
  return name;
}

function clusterSettings(env: NodeJS.ProcessEnv): ClusterSettings | undefined {
  const brokers = (env.KAFKA_BROKERS ?? "")
    .split(",")
    .map((broker) => broker.trim())
    .filter(Boolean);
  const mongodbUrl = env.MONGODB_URL ?? "";
  if (brokers.length === 0 && mongodbUrl === "") return undefined;
  if (brokers.length === 0 || mongodbUrl === "") {
    throw new ConfigurationError(
      "KAFKA_BROKERS and MONGODB_URL go together: set both to run the roles as separate processes, or neither for the embedded defaults.",
    );
  }
  return {
    kafkaBrokers: brokers,
    kafkaClientId: env.KAFKA_CLIENT_ID || "customers",
    kafkaTopicPartitions: integer(env, "KAFKA_TOPIC_PARTITIONS", 3, { min: 1, max: 1000 }),
    kafkaReplicationFactor: integer(env, "KAFKA_REPLICATION_FACTOR", 1, { min: 1, max: 10 }),
    mongodbUrl,
    mongodbDatabase: env.MONGODB_DATABASE || "customers",
    keysMongodbDatabase: env.KEYS_MONGODB_DATABASE || `${env.MONGODB_DATABASE || "customers"}_keys`,
    mongodbTimeoutMs: integer(env, "MONGODB_TIMEOUT_MS", 5_000, { min: 100, max: 600_000 }),
    projectorGroupId: env.PROJECTOR_GROUP_ID || PROJECTOR_GROUP,
    readModelNoticesTopic: env.READ_MODEL_NOTICES_TOPIC || "customers.read-model.v1",
    readCacheTtlMs: integer(env, "READ_CACHE_TTL_MS", 30_000, { min: 0, max: 3_600_000 }),
  };
}

function parseEnvironment(value: string | undefined): Environment {
  if (value === undefined || value === "" || value === "development") return "development";
  if (value === "production" || value === "test") return value;
  throw new ConfigurationError(`NODE_ENV must be development, production or test (got "${value}").`);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ConfigurationError(`${name} must be a whole number from ${range.min} to ${range.max} (got "${raw}").`);
  }
  return value;
}
