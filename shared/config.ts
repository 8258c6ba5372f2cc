/**
 * Settings, read from the environment once at start-up and passed in from there.
 * Nothing else in the code reads process.env.
 */
import { resolve } from "node:path";

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
  /** How long a write waits for the read model before answering from its own events. */
  readModelWaitMs: number;
  /** How long an email reservation without its customer counts as an in-flight create. */
  emailReservationGraceMs: number;
  eventsTopic: string;
  logLevel: string;
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
    readModelWaitMs: integer(env, "READ_MODEL_WAIT_MS", 5000, { min: 0, max: 60_000 }),
    emailReservationGraceMs: integer(env, "EMAIL_RESERVATION_GRACE_MS", 30_000, { min: 0, max: 86_400_000 }),
    eventsTopic: env.EVENTS_TOPIC || "customers.events.v1",
    logLevel: env.LOG_LEVEL || (environment === "test" ? "silent" : "info"),
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
