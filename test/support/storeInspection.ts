import Database from "better-sqlite3";
import { join } from "node:path";

/** Counts the events in a data directory's event store, read-only, beside a running service. */
export function countEvents(dataDir: string): number {
  const db = new Database(join(dataDir, "events.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM events").get() as { n: number }).n;
  } finally {
    db.close();
  }
}
