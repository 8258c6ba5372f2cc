/**
 * The customers' data keys as every role opens them: the master key from ENCRYPTION_KEY (or,
 * on a laptop, DATA_DIR/master.key, made on first start), and the key records in
 * DATA_DIR/keys.sqlite, in PostgreSQL (KEYS_POSTGRES_SCHEMA) beside a PostgreSQL event store,
 * or in MongoDB (KEYS_MONGODB_DATABASE) for a cluster on KurrentDB.
 * Both are kept apart from the event store: destroying a record there is what erases a
 * customer's personal data.
 */
import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Settings } from "../config.js";
import { masterKey, parseMasterKey } from "../crypto/masterKey.js";
import { KEY_BYTES } from "../crypto/sealing.js";
import { expiredAnswerKeySubjects } from "../events/personalData.js";
import { KeyStore } from "../keystore/keyStore.js";
import { MongoKeyRecords } from "../keystore/mongodb.js";
import { type KeyRecords, reportingOutages } from "../keystore/port.js";
import { PostgresKeyRecords } from "../keystore/postgres.js";
import { SqliteKeyRecords } from "../keystore/sqlite.js";
import type { Logger } from "../logger.js";
import { connectMongo, isMongoUnreachable } from "../mongodb/connect.js";
import { isPostgresUnavailable } from "../postgres/connect.js";

export const KEY_RECORDS_FILE = "keys.sqlite";
export const MASTER_KEY_FILE = "master.key";

/** Data keys held unwrapped in memory: enough for a catch-up to find most subjects there. */
const CACHED_KEYS = 100_000;

export async function openKeyStore(settings: Settings, logger: Logger): Promise<KeyStore> {
  const master = masterKey(settings.encryptionKey ? parseMasterKey(settings.encryptionKey) : localMasterKey(settings.dataDir, logger));
  return new KeyStore({ records: await openKeyRecords(settings), master, cache: { maxKeys: CACHED_KEYS } });
}

/**
 * The key records live where the event store's processes can all reach them without adding a
 * server to the write path: beside a SQLite event store (one machine: DATA_DIR/keys.sqlite,
 * shared as the event store's file is), and in MongoDB when the events are in KurrentDB and
 * the roles share no disk. There a MongoDB outage holds up writes that need a key not cached
 * (README, "Erasure"). With PostgreSQL, the server the events go to keeps the keys too, in
 * a schema of their own: no other server joins the write path.
 */
async function openKeyRecords(settings: Settings): Promise<KeyRecords> {
  if (settings.postgres) {
    const { url, keysSchema, timeoutMs, poolSize } = settings.postgres;
    return reportingOutages(PostgresKeyRecords.open(url, keysSchema, { timeoutMs, poolSize }), isPostgresUnavailable, "PostgreSQL");
  }
  if (settings.cluster && settings.kurrentdbUrl) {
    const { mongodbUrl, keysMongodbDatabase, mongodbTimeoutMs } = settings.cluster;
    const client = await connectMongo(mongodbUrl, mongodbTimeoutMs);
    return reportingOutages(new MongoKeyRecords(client.db(keysMongodbDatabase), () => client.close()), isMongoUnreachable, "MongoDB");
  }
  mkdirSync(settings.dataDir, { recursive: true });
  return new SqliteKeyRecords(join(settings.dataDir, KEY_RECORDS_FILE));
}

/**
 * The master key kept in DATA_DIR, made when there is none: fine for a laptop, where the data
 * and the key sit on one disk anyway; a deployment sets ENCRYPTION_KEY (config.ts insists in
 * production). Made with an exclusive create, so processes starting together agree on one.
 */
export function localMasterKey(dataDir: string, logger: Logger): Buffer {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, MASTER_KEY_FILE);
  // Written whole under another name, then linked into place: a process that loses the race
  // never reads a half-written key.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(draft, `${randomBytes(KEY_BYTES).toString("hex")}\n`, { mode: 0o600 });
  try {
    linkSync(draft, file);
    logger.warn({ file }, "made a master key for the customers' personal data in DATA_DIR; set ENCRYPTION_KEY to keep it elsewhere (README, Erasure)");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(draft);
  }
  return parseMasterKey(readFileSync(file, "utf8"));
}

/**
 * Destroys the keys of Idempotency-Key answers that have all expired (personalData.ts), now
 * and every hour: an erased customer's fields in such an answer are unreadable at most a day
 * after it expired.
 */
export function sweepExpiredAnswerKeys(keys: KeyStore, logger: Logger, intervalMs = 3_600_000): { stop(): void } {
  const sweep = () => {
    Promise.all(expiredAnswerKeySubjects(new Date()).map((subject) => keys.destroy(subject))).catch((error: unknown) =>
      logger.warn({ err: error }, "destroying the keys of expired Idempotency-Key answers failed; retrying within the hour"),
    );
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  // Housekeeping only: it must not keep a stopping process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
