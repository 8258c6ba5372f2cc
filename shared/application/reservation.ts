/**
 * A unique value's reservation (shared/reservations/decideReservation.ts) run through the
 * write pipeline: read the reservation stream, check the holder's stream or fence it when
 * the decider asks, and append; another writer getting to the stream first means deciding
 * again on top of its write. Each kind of unique value (a customer's email, a group's name,
 * an admin user's email) is declared once with defineReservation (see reservations.ts).
 */
import type { EventStore } from "../eventstore/port.js";
import { type Aggregate, loadStream } from "../eventstore/loadStream.js";
import type { ReservationDecision } from "../reservations/decideReservation.js";
import { ConcurrentWriteConflict } from "../errors.js";
import { handleCommand } from "./commandHandler.js";
import type { CommandContext } from "./context.js";

type AnyEvent = { type: string; data: unknown };

export interface ReservationDefinition<ReserveRequest, ReleaseRequest, State, Event extends AnyEvent, HolderState, HolderEvent extends AnyEvent> {
  /** The reservation stream of the value a request names. */
  stream: (request: ReserveRequest | ReleaseRequest) => string;
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
  reserve(store: EventStore, request: ReserveRequest, context: CommandContext, now: Date): Promise<void>;
  /** Frees the value if the request's holder still holds it. */
  release(store: EventStore, request: ReleaseRequest, context: CommandContext, now: Date): Promise<void>;
}

export function defineReservation<ReserveRequest, ReleaseRequest, State, Event extends AnyEvent, HolderState, HolderEvent extends AnyEvent>(
  definition: ReservationDefinition<ReserveRequest, ReleaseRequest, State, Event, HolderState, HolderEvent>,
): ReservationRunner<ReserveRequest, ReleaseRequest> {
  const { holder } = definition;
  const loadHolder = async (store: EventStore, holderId: string) => (await loadStream(store, holder.stream(holderId), holder)).state;

  return {
    async reserve(store, request, context, now) {
      const stream = definition.stream(request);
      await handleCommand(
        store,
        stream,
        definition.reservation,
        async (state) => {
          const decide = (standing?: HolderState) => definition.decideReserve(request, state, standing);
          let decision = decide();
          if (decision.outcome === "check-holder") decision = decide(await loadHolder(store, decision.holder_id));
          if (decision.outcome === "fence-holder") {
            const fenced = await fenceAbandoned(store, decision.holder_id, context, now);
            // Not fenced: the holder's stream was written meanwhile, so it is there to check.
            decision = decide(fenced ?? (await loadHolder(store, decision.holder_id)));
          }
          if (decision.outcome === "taken") throw definition.taken(request);
          if (decision.outcome !== "reserve") throw new ConcurrentWriteConflict(stream);
          return decision.events;
        },
        { clock: () => now, context },
      );
    },

    async release(store, request, context, now) {
      await handleCommand(store, definition.stream(request), definition.reservation, (state) => definition.decideRelease(request, state), {
        clock: () => now,
        context,
      });
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
        context,
        newStream: true,
      });
      return written.state;
    } catch (error) {
      if (error instanceof ConcurrentWriteConflict) return undefined;
      throw error;
    }
  }
}
