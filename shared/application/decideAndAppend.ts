/**
 * The write loop every command on an existing stream uses: read the stream, decide on its
 * latest state, append expecting that revision; when another writer got there first,
 * decide again on top of its write, so no change is ever lost silently.
 */
import { ConcurrentWriteConflict } from "../customers/errors.js";
import { type EventStore, WrongExpectedRevision } from "../eventstore/port.js";
import { type CommandContext, toEventsToAppend } from "./context.js";
import { loadStream } from "./loadStream.js";

/** Attempts of a write that keeps losing the race for its stream. */
const MAX_ATTEMPTS = 8;

export type StreamEvents<Event> = Array<{ event: Event; revision: number }>;

export type WriteHook<State, Event> = (events: Event[], state: State, now: Date) => Promise<void>;

export interface Written<State, Event> {
  /** The state after the write (or as found, when nothing was decided). */
  state: State;
  /** Every event of the stream, the new ones included. */
  stream: StreamEvents<Event>;
  /** The stream's last revision. */
  revision: number;
  changed: boolean;
}

export interface Aggregate<State, Event> {
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
}

/** `before` runs ahead of the append (reservations), `after` once it is written (releases). */
export async function decideAndAppend<State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  streamName: string,
  aggregate: Aggregate<State, Event>,
  decide: (state: State, now: Date) => Event[],
  options: { clock: () => Date; context: CommandContext; before?: WriteHook<State, Event>; after?: WriteHook<State, Event> },
): Promise<Written<State, Event>> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const now = options.clock();
    const loaded = await loadStream(store, streamName, aggregate.evolve, aggregate.initialState);
    const lastRevision = loaded.events.at(-1)?.revision ?? -1;
    const events = decide(loaded.state, now);
    if (events.length === 0) return { state: loaded.state, stream: loaded.events, revision: lastRevision, changed: false };
    await options.before?.(events, loaded.state, now);
    try {
      const { revision } = await store.appendToStream(streamName, toEventsToAppend(events, options.context, now), {
        expectedRevision: loaded.expectedRevision,
      });
      await options.after?.(events, loaded.state, now);
      const stream = [...loaded.events, ...events.map((event, index) => ({ event, revision: lastRevision + 1 + index }))];
      return { state: stream.reduce((state, { event }) => aggregate.evolve(state, event), aggregate.initialState()), stream, revision, changed: true };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
    }
  }
  throw new ConcurrentWriteConflict(streamName);
}
