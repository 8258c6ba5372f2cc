/**
 * Chooses and opens the adapters the settings ask for. The one place that knows every
 * adapter; the roles receive ports.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { KafkaBus } from "../bus/kafka.js";
import { KurrentDbCheckpointStore } from "../checkpoints/kurrentdb.js";
import type { CheckpointStore } from "../checkpoints/port.js";
import { PostgresCheckpointStore } from "../checkpoints/postgres.js";
import { SqliteCheckpointStore } from "../checkpoints/sqlite.js";
import type { ClusterSettings, Settings } from "../config.js";
import { KurrentDbEventStore } from "../eventstore/kurrentdb.js";
import type { EventStore } from "../eventstore/port.js";
import { PostgresEventStore } from "../eventstore/postgres.js";
import { SqliteEventStore, type SqliteEventStoreOptions } from "../eventstore/sqlite.js";
import type { Logger } from "../logger.js";
import { MongoReadModel } from "../readmodel/mongodb.js";
import { MongoGenerations } from "../readmodel/mongoGenerations.js";
import { MongoSessionStore } from "../sessions/mongodb.js";
import type { SessionStore } from "../sessions/port.js";
import { SqliteSessionStore } from "../sessions/sqlite.js";
import { SqliteReadModel } from "../readmodel/sqlite.js";
import { FIRST_GENERATION_FILE, generationFile, servingGeneration } from "../readmodel/sqliteGenerations.js";

export const EVENT_STORE_FILE = "events.sqlite";
export const CHECKPOINT_FILE = "checkpoints.sqlite";
export const SESSION_FILE = "sessions.sqlite";

export function eventStoreFile(settings: Settings): string {
  mkdirSync(settings.dataDir, { recursive: true });
  return join(settings.dataDir, EVENT_STORE_FILE);
}

/** The embedded mode's read model as it serves: the SQLite file of its serving generation in DATA_DIR, beside the events. */
export function openEmbeddedReadModel(settings: Settings): SqliteReadModel {
  mkdirSync(settings.dataDir, { recursive: true });
  return new SqliteReadModel(servingReadModelFile(settings), { cachedDocuments: settings.readCacheMaxDocuments });
}

export function servingReadModelFile(settings: Settings): string {
  return generationFile(settings.dataDir, servingGeneration(settings.dataDir));
}

/** The read model's file until its first rebuild. */
export const READ_MODEL_FILE = FIRST_GENERATION_FILE;

/**
 * KurrentDB when KURRENTDB_URL is set, PostgreSQL when POSTGRES_URL is, else the SQLite file
 * in DATA_DIR (a serving process passes `writerThread`, so that its commits do not hold up
 * its event loop).
 */
export function openEventStore(settings: Settings, options: SqliteEventStoreOptions = {}): EventStore {
  if (settings.kurrentdbUrl) return new KurrentDbEventStore(settings.kurrentdbUrl);
  if (settings.postgres) {
    const { url, schema, timeoutMs, poolSize } = settings.postgres;
    return new PostgresEventStore(url, { schema, timeoutMs, poolSize });
  }
  return new SqliteEventStore(eventStoreFile(settings), options);
}

/**
 * A durable checkpoint kept beside the events it points into. With SQLite it gets a file of
 * its own: SQLite lets one connection write at a time, and the command service must not
 * wait for the publisher's checkpoint writes (or the other way round).
 */
export function openCheckpoints(settings: Settings, name: string): CheckpointStore {
  if (settings.kurrentdbUrl) return new KurrentDbCheckpointStore(settings.kurrentdbUrl, name);
  if (settings.postgres) {
    const { url, schema, timeoutMs } = settings.postgres;
    // Checkpoints are written once per batch: one connection is plenty.
    return PostgresCheckpointStore.open(url, schema, name, { timeoutMs, poolSize: 1 });
  }
  eventStoreFile(settings);
  return new SqliteCheckpointStore(join(settings.dataDir, CHECKPOINT_FILE), name);
}

export async function openKafkaBus(cluster: ClusterSettings, logger: Logger, topics: string[]): Promise<KafkaBus> {
  const bus = new KafkaBus({
    brokers: cluster.kafkaBrokers,
    clientId: cluster.kafkaClientId,
    partitions: cluster.kafkaTopicPartitions,
    replicationFactor: cluster.kafkaReplicationFactor,
    logger,
  });
  await bus.ensureTopics(topics);
  return bus;
}

/** The generation of the MongoDB read model that serves, as its pointer names it (for a one-off look, such as `npm run check`). */
export async function openMongoReadModel(cluster: ClusterSettings): Promise<MongoReadModel> {
  const generations = await MongoGenerations.connect(cluster.mongodbUrl, cluster.mongodbDatabase, cluster.mongodbTimeoutMs);
  try {
    return await MongoReadModel.connect(cluster.mongodbUrl, cluster.mongodbDatabase, { timeoutMs: cluster.mongodbTimeoutMs, generation: await generations.serving() });
  } finally {
    await generations.close();
  }
}

/**
 * Sessions where every command service sees them: MongoDB (the read model's database) in
 * cluster mode, else a SQLite file of their own in DATA_DIR.
 */
export async function openSessionStore(settings: Settings): Promise<SessionStore> {
  if (settings.cluster) return MongoSessionStore.connect(settings.cluster.mongodbUrl, settings.cluster.mongodbDatabase, settings.cluster.mongodbTimeoutMs);
  eventStoreFile(settings);
  return new SqliteSessionStore(join(settings.dataDir, SESSION_FILE));
}
