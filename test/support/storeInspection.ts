import { join } from "node:path";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";

/** Counts the events in a data directory's event store, through the store's own port, beside a running service. */
export async function countEvents(dataDir: string): Promise<number> {
  const store = new SqliteEventStore(join(dataDir, "events.sqlite"));
  try {
    let count = 0;
    let after: string | undefined;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000 });
      count += page.length;
      if (page.length < 1000) return count;
      after = page.at(-1)!.position;
    }
  } finally {
    await store.close();
  }
}
