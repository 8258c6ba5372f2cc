/**
 * A unique value's reservation (shared/reservations/decideReservation.ts) run through the
 * write pipeline: read the reservation stream, check the holder's stream or fence it when
 * the decider asks, and hand back the reservation's events (or, to free the value, the
 * release's) for the holder's write to append alongside its own (commandHandler.ts), so that
 * both land in one write; another writer
 * getting to the reservation stream first means deciding again on top of its write. Each
 * kind of unique value (a customer's email, a group's name, an admin user's email) is
 * declared once with defineReservation (see reservations.ts).
 */
import type { EventStore, ExpectedRevision, StreamAppend } from "../eventstore/port.js";
import { type Aggregate, loadStream } from "../eventstore/loadStream.js";
import type { ReservationDecision } from "../reservations/decideReservation.js";
import { ConcurrentWriteConflict } from "../errors.js";
import { handleCommand } from "./commandHandler.js";
import { type CommandContext, sideWriteContext, toEventsToAppend } from "./context.js";

type AnyEvent = { type: string; data: unknown };

export interface ReservationDefinition<ReserveRequest, ReleaseRequest, State, Event extends AnyEvent, HolderState, HolderEvent extends AnyEvent> {
  /** The reservation stream of the value a request names. */
  stream: (request: ReserveRequest | ReleaseRequest) => string;
  /**
   * Where the value was reserved under an earlier naming, when the store may still hold such
   * streams. Read, never written: until the value's `stream` exists, its reservation starts
   * from the legacy stream's state, and the first write creates `stream` (expecting none),
   * so a reservation made before the renaming keeps holding and racing writers still meet
   * on one stream.
   */
  legacyStream?: (request: ReserveRequest | ReleaseRequest) => string;
  reservation: Aggregate<State, Event>;
  decideReserve: (request: ReserveRequest, state: State, holder?: HolderState) => ReservationDecision<Event>;
  decideRelease: (request: ReleaseRequest, state: State) => Event[];
  /** The aggregate that holds the value, and the event that fences one that never came to be. */
  holder: Aggregate<HolderState, HolderEvent> & {
    stream: (holderId: string) => string;
    abandoned: (holderId: string, now: Date) => HolderEvent;
  };
  taken: (request: ReserveRequest) => Error;
}

export interface ReservationRunner<ReserveRequest, ReleaseRequest> {
  /**
   * The write that reserves the value for the request's holder, to append alongside the
   * holder's own (none when it already holds it); throws the `taken` error when another does.
   *
   * With `assumeNew` the value is taken to have never been reserved (a new email, most of the
   * time): the reservation is written expecting no stream, without reading it first. When the
   * stream exists, that write loses the race, and the next attempt (without `assumeNew`)
   * reads it and decides. With a `legacyStream` it is ignored: the value may be reserved
   * there, where a write expecting no stream would not see it.
   */
  claim(store: EventStore, request: ReserveRequest, context: CommandContext, now: Date, options?: { assumeNew?: boolean }): Promise<StreamAppend[]>;
  /** The write that frees the value if the request's holder still holds it, to append alongside the holder's own (none when it does not). */
  release(store: EventStore, request: ReleaseRequest, context: CommandContext, now: Date): Promise<StreamAppend[]>;
}

export function defineReservation<ReserveRequest, ReleaseRequest, State, Event extends AnyEvent, HolderState, HolderEvent extends AnyEvent>(
  definition: ReservationDefinition<ReserveRequest, ReleaseRequest, State, Event, HolderState, HolderEvent>,
): ReservationRunner<ReserveRequest, ReleaseRequest> {
  const { holder } = definition;
  const loadHolder = async (store: EventStore, holderId: string) => (await loadStream(store, holder.stream(holderId), holder)).state;
  type Loaded = { state: State; expectedRevision: ExpectedRevision };
  /** The reservation's state, and what its next write to `stream` expects (see `legacyStream`). */
  const loadReservation = async (store: EventStore, stream: string, request: ReserveRequest | ReleaseRequest): Promise<Loaded> => {
    const loaded = await loadStream(store, stream, definition.reservation);
    if (loaded.revision !== -1 || !definition.legacyStream) return loaded;
    const legacy = await loadStream(store, definition.legacyStream(request), definition.reservation);
    return { state: legacy.state, expectedRevision: "no_stream" };
  };

  return {
    async claim(store, request, context, now, options = {}) {
      const stream = definition.stream(request);
      const loaded: Loaded =
        options.assumeNew && !definition.legacyStream
          ? { state: definition.reservation.initialState(), expectedRevision: "no_stream" }
          : await loadReservation(store, stream, request);
      const decide = (standing?: HolderState) => definition.decideReserve(request, loaded.state, standing);
      let decision = decide();
      if (decision.outcome === "check-holder") decision = decide(await loadHolder(store, decision.holder_id));
      if (decision.outcome === "fence-holder") {
        const fenced = await fenceAbandoned(store, decision.holder_id, context, now);
        // Not fenced: the holder's stream was written meanwhile, so it is there to check.
        decision = decide(fenced ?? (await loadHolder(store, decision.holder_id)));
      }
      if (decision.outcome === "taken") throw definition.taken(request);
      if (decision.outcome !== "reserve") throw new ConcurrentWriteConflict(stream);
      if (decision.events.length === 0) return [];
      return [{ stream, events: toEventsToAppend(decision.events, context, now), expectedRevision: loaded.expectedRevision }];
    },

    async release(store, request, context, now) {
      const stream = definition.stream(request);
      const loaded = await loadReservation(store, stream, request);
      const events = definition.decideRelease(request, loaded.state);
      return events.length === 0 ? [] : [{ stream, events: toEventsToAppend(events, context, now), expectedRevision: loaded.expectedRevision }];
    },
  };

  /**
   * Fences a create that reserved the value and never wrote its stream: the abandonment is
   * appended as the stream's first event, so the stalled create can never complete. The
   * holder's state once fenced, or undefined when the create completed meanwhile.
   */
  async function fenceAbandoned(store: EventStore, holderId: string, context: CommandContext, now: Date): Promise<HolderState | undefined> {
    try {
      const written = await handleCommand(store, holder.stream(holderId), holder, () => [holder.abandoned(holderId, now)], {
        clock: () => now,
        context: sideWriteContext(context),
        newStream: true,
      });
      return written.state;
    } catch (error) {
      if (error instanceof ConcurrentWriteConflict) return undefined;
      throw error;
    }
  }
}
