import type { EventStore, ExpectedRevision } from "../eventstore/port.js";

export interface LoadedStream<State, Event> {
  state: State;
  /** What to expect when appending the next events: the last revision, or "no_stream". */
  expectedRevision: ExpectedRevision;
  events: Array<{ event: Event; revision: number }>;
}

/** Reads a stream and folds it into the aggregate's state. */
export async function loadStream<State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  stream: string,
  evolve: (state: State, event: Event) => State,
  initialState: () => State,
): Promise<LoadedStream<State, Event>> {
  const recorded = await store.readStream(stream);
  const events = recorded.map((e) => ({ event: { type: e.type, data: e.data } as Event, revision: e.revision }));
  return {
    state: events.reduce((state, { event }) => evolve(state, event), initialState()),
    expectedRevision: recorded.at(-1)?.revision ?? "no_stream",
    events,
  };
}
