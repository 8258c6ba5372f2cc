/**
 * The write loop every command on an existing stream uses: load the stream's latest state,
 * decide on it, append expecting that revision; when another writer got there first,
 * decide again on top of its write, so no change is ever lost silently.
 *
 * Writes to one stream from this process run one at a time (OneAtATime), so they follow each
 * other instead of racing; the expected-revision check still settles races with other
 * processes. With a StreamStateCache, a write reads only the events since the last state
 * seen, and leaves the state it wrote for the next one.
 */
import { ConcurrentWriteConflict } from "../errors.js";
import { type EventStore, type EventToAppend, type ExpectedRevision, WrongExpectedRevision } from "../eventstore/port.js";
import { type CommandContext, toEventsToAppend } from "./context.js";
import { type Aggregate, loadStream } from "./loadStream.js";
import { OneAtATime } from "./oneAtATime.js";
import type { StreamStateCache } from "./streamStateCache.js";

export type { Aggregate } from "./loadStream.js";

/** Attempts of a write that keeps losing the race for its stream to other processes. */
const MAX_ATTEMPTS = 8;

export type WriteHook<State, Event> = (events: Event[], state: State, now: Date) => Promise<void>;

export interface Written<State, Event> {
  /** The state after the write (or as found, when nothing was decided). */
  state: State;
  /** The events this write appended (none when nothing was decided). */
  events: Event[];
  /** The stream's last revision. */
  revision: number;
  changed: boolean;
}

export interface DecideAndAppendOptions<State, Event> {
  clock: () => Date;
  context: CommandContext;
  /** Runs ahead of the append (reservations). */
  before?: WriteHook<State, Event>;
  /** Runs once the events are written (releases). */
  after?: WriteHook<State, Event>;
  states?: StreamStateCache;
}

/** One queue per store: two stores in one process (tests) do not hold each other up. */
const writeQueues = new WeakMap<EventStore, OneAtATime>();

export function decideAndAppend<State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  streamName: string,
  aggregate: Aggregate<State, Event>,
  decide: (state: State, now: Date) => Event[],
  options: DecideAndAppendOptions<State, Event>,
): Promise<Written<State, Event>> {
  let queue = writeQueues.get(store);
  if (!queue) writeQueues.set(store, (queue = new OneAtATime()));
  const { states } = options;
  const cached = states && aggregate.kind !== undefined ? { states, kind: aggregate.kind } : undefined;
  return queue.run(streamName, async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const now = options.clock();
      const loaded = await loadStream(store, streamName, aggregate, states);
      const events = decide(loaded.state, now);
      if (events.length === 0) return { state: loaded.state, events, revision: loaded.revision, changed: false };
      await options.before?.(events, loaded.state, now);
      const revision = await appendOrLoseRace(store, streamName, toEventsToAppend(events, options.context, now), loaded.expectedRevision);
      if (revision === undefined) {
        // Another process wrote the stream; a cached state may also be from elsewhere than the store.
        cached?.states.delete(cached.kind, streamName);
        continue;
      }
      const state = events.reduce((folded, event, index) => aggregate.evolve(folded, event, loaded.revision + 1 + index), loaded.state);
      cached?.states.set(cached.kind, streamName, { revision, state });
      await options.after?.(events, loaded.state, now);
      return { state, events, revision, changed: true };
    }
    throw new ConcurrentWriteConflict(streamName);
  });
}

/** The revision written, or undefined when the stream was not at the expected revision. */
async function appendOrLoseRace(
  store: EventStore,
  streamName: string,
  events: EventToAppend[],
  expectedRevision: ExpectedRevision,
): Promise<number | undefined> {
  try {
    return (await store.appendToStream(streamName, events, { expectedRevision })).revision;
  } catch (error) {
    if (error instanceof WrongExpectedRevision) return undefined;
    throw error;
  }
}
