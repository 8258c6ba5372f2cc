import { join } from "node:path";
import { readAllPages } from "../../shared/eventstore/readAllPages.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";

/** Counts the events in a data directory's event store, through the store's own port, beside a running service. */
export async function countEvents(dataDir: string): Promise<number> {
  const store = new SqliteEventStore(join(dataDir, "events.sqlite"));
  try {
    let count = 0;
    for await (const page of readAllPages(store, { pageSize: 1000 })) count += page.length;
    return count;
  } finally {
    await store.close();
  }
}
