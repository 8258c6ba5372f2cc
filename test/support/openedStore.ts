/**
 * The event store of a data directory as the service reads it: personal fields opened with
 * the service's key store (shared/runtime/keys.ts), which closes with it. For tests that fold
 * the log and compare it with the read model, which holds those fields opened.
 */
import { join } from "node:path";
import { loadSettings } from "../../shared/config.js";
import type { EventStore } from "../../shared/eventstore/port.js";
import { SealingEventStore } from "../../shared/eventstore/sealing.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { silentLogger } from "../../shared/logger.js";
import { openKeyStore } from "../../shared/runtime/keys.js";

/**
 * `env`: the service's settings where they decide the key store (ENCRYPTION_KEY, MONGODB_URL,
 * KAFKA_BROKERS, MONGODB_DATABASE); `inner`: the store underneath, when it is not the data
 * directory's SQLite file (KurrentDB).
 */
export async function openedEventStore(dataDir: string, env: Record<string, string> = {}, inner?: EventStore): Promise<EventStore> {
  const keys = await openKeyStore(loadSettings({ NODE_ENV: "test", DATA_DIR: dataDir, ...env }), silentLogger);
  const sealing = new SealingEventStore(inner ?? new SqliteEventStore(join(dataDir, "events.sqlite")), keys);
  const close = sealing.close.bind(sealing);
  sealing.close = async () => {
    await close();
    await keys.close();
  };
  return sealing;
}
