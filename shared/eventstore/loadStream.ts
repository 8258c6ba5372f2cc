/**
 * Reads a stream and folds it into an aggregate's state: from the cached state when there is
 * one (only the events after it are read), and a page at a time, so that neither the time nor
 * the memory of a load grows with the stream's whole history.
 */
import type { EventStore, ExpectedRevision } from "../eventstore/port.js";
import { currentEventOf } from "../events/upcasting.js";
import type { StreamStateCache } from "./streamStateCache.js";

export interface Aggregate<State, Event> {
  /** Names the state in a StreamStateCache; a load without it is never cached. */
  kind?: string;
  evolve: (state: State, event: Event, revision: number) => State;
  initialState: () => State;
}

export interface LoadedStream<State> {
  state: State;
  /** The stream's last revision; -1 when it has no events. */
  revision: number;
  /** What to expect when appending the next events: the last revision, or "no_stream". */
  expectedRevision: ExpectedRevision;
}

/** Events read at once: a page of large events stays a few megabytes. */
const PAGE_SIZE = 256;

/**
 * The cached state as it was last seen, read from nothing: for a writer that lets its append's
 * expected revision check it (commandHandler.ts). Undefined when nothing is cached.
 */
export function cachedStream<State>(stream: string, aggregate: Aggregate<State, never>, cache?: StreamStateCache): LoadedStream<State> | undefined {
  const cached = cache && aggregate.kind !== undefined ? cache.get<State>(aggregate.kind, stream) : undefined;
  return cached && { state: cached.state, revision: cached.revision, expectedRevision: cached.revision === -1 ? "no_stream" : cached.revision };
}

export async function loadStream<State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  stream: string,
  aggregate: Aggregate<State, Event>,
  cache?: StreamStateCache,
): Promise<LoadedStream<State>> {
  const cached = cache && aggregate.kind !== undefined ? cache.get<State>(aggregate.kind, stream) : undefined;
  let state = cached?.state ?? aggregate.initialState();
  let revision = cached?.revision ?? -1;
  for (;;) {
    const page = await store.readStream(stream, { fromRevision: revision + 1, maxCount: PAGE_SIZE });
    for (const recorded of page) {
      state = aggregate.evolve(state, currentEventOf(recorded) as Event, recorded.revision);
      revision = recorded.revision;
    }
    if (page.length < PAGE_SIZE) break;
  }
  if (cache && aggregate.kind !== undefined && revision !== (cached?.revision ?? -1)) cache.set(aggregate.kind, stream, { revision, state });
  return { state, revision, expectedRevision: revision === -1 ? "no_stream" : revision };
}
