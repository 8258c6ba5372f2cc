/**
 * The global log a page at a time, from its start, so that reading all of it (a listing, a
 * check, a count) never holds all of it in memory at once.
 */
import type { EventStore, RecordedEvent } from "./port.js";

export interface ReadAllPagesOptions {
  /** Only the streams whose names start with one of these; all of them when left out. */
  streamPrefixes?: string[];
  pageSize: number;
}

export async function* readAllPages(store: EventStore, { streamPrefixes, pageSize }: ReadAllPagesOptions): AsyncGenerator<RecordedEvent[]> {
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ after, streamPrefixes, maxCount: pageSize });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.position;
  }
}
