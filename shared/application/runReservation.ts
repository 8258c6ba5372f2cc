/**
 * Runs a reservation decider (shared/reservations/decideReservation.ts) against the event
 * store: reads the reservation stream, checks or fences the holder when the decider asks,
 * and appends, deciding again when another writer gets to the stream first.
 */
import { ConcurrentWriteConflict } from "../errors.js";
import { type EventStore, WrongExpectedRevision } from "../eventstore/port.js";
import type { ReservationDecision } from "../reservations/decideReservation.js";
import { type CommandContext, toEventsToAppend } from "./context.js";
import { loadStream } from "./loadStream.js";

const MAX_ATTEMPTS = 5;

export interface Reservation<State, Event extends { type: string; data: unknown }, Holder> {
  stream: string;
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
  /** The decider, given the holder's state once it has been read. */
  decide: (state: State, holder?: Holder) => ReservationDecision<Event>;
  loadHolder: (holderId: string) => Promise<Holder>;
  /** The holder's state after it has been fenced. */
  abandoned: Holder;
  /** Appends the fencing event to the holder's stream expecting "no stream"; false when the holder exists after all. */
  fenceHolder: (holderId: string) => Promise<boolean>;
  taken: () => Error;
}

export async function runReservation<State, Event extends { type: string; data: unknown }, Holder>(
  store: EventStore,
  reservation: Reservation<State, Event, Holder>,
  context: CommandContext,
  now: Date,
): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const { state, expectedRevision } = await loadStream(store, reservation.stream, reservation);
    let decision = reservation.decide(state);
    if (decision.outcome === "check-holder") decision = reservation.decide(state, await reservation.loadHolder(decision.holder_id));
    if (decision.outcome === "fence-holder") {
      if (!(await reservation.fenceHolder(decision.holder_id))) continue;
      decision = reservation.decide(state, reservation.abandoned);
    }
    if (decision.outcome === "taken") throw reservation.taken();
    if (decision.outcome !== "reserve") continue;
    if (decision.events.length === 0) return;
    try {
      await store.appendToStream(reservation.stream, toEventsToAppend(decision.events, context, now), { expectedRevision });
      return;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
    }
  }
  throw new ConcurrentWriteConflict(reservation.stream);
}

/** Appends a release decided on the latest state of the reservation stream, retrying on a race. */
export async function runRelease<State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  release: { stream: string; evolve: (state: State, event: Event) => State; initialState: () => State; decide: (state: State) => Event[] },
  context: CommandContext,
  now: Date,
): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const { state, expectedRevision } = await loadStream(store, release.stream, release);
    const events = release.decide(state);
    if (events.length === 0) return;
    try {
      await store.appendToStream(release.stream, toEventsToAppend(events, context, now), { expectedRevision });
      return;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
    }
  }
  throw new ConcurrentWriteConflict(release.stream);
}


/**
 * Fences a create that reserved a unique value and then never wrote its stream: the
 * abandonment event is appended expecting "no stream", so the stalled create can never
 * complete. True when fenced; false when the create completed meanwhile.
 */
export async function fenceAbandonedCreate(
  store: EventStore,
  stream: string,
  abandoned: { type: string; data: unknown },
  context: CommandContext,
  now: Date,
): Promise<boolean> {
  try {
    await store.appendToStream(stream, toEventsToAppend([abandoned], context, now), { expectedRevision: "no_stream" });
    return true;
  } catch (error) {
    if (error instanceof WrongExpectedRevision) return false;
    throw error;
  }
}

/**
 * Appends a new aggregate's first events, expecting no stream. The only way that fails is
 * a later create having fenced this one as abandoned (see fenceAbandonedCreate).
 */
export async function appendToNewStream(
  store: EventStore,
  stream: string,
  events: Array<{ type: string; data: unknown }>,
  context: CommandContext,
  now: Date,
): Promise<number> {
  try {
    return (await store.appendToStream(stream, toEventsToAppend(events, context, now), { expectedRevision: "no_stream" })).revision;
  } catch (error) {
    if (error instanceof WrongExpectedRevision) throw new ConcurrentWriteConflict(stream);
    throw error;
  }
}
