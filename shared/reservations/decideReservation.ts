/**
 * Set validation on the write side: a value that must be unique (a customer's email, a
 * group's name) owns a reservation stream, and the first writer to append to it wins.
 *
 * A writer reserves before it writes its own aggregate. If it dies in between, the
 * reservation points at a holder that never came to be; a later writer that finds such an
 * old reservation checks the holder. When the holder has no stream, it is fenced (an event
 * appended expecting "no stream", so the stalled write can never complete) and then
 * released. When the holder has moved on (deleted, or changed the value) and its own release
 * was lost, it is released. Fresh reservations are trusted for a grace period so that
 * in-flight writes are not fenced. Pure: the caller reads the streams.
 */

/** How the holder stands, once the caller has read its stream. */
export type HolderStanding<Reason extends string> =
  | { kind: "holds" }
  | { kind: "moved-on"; reason: Reason }
  | { kind: "absent" }
  | { kind: "abandoned" };

export type ReservationDecision<Event> =
  | { outcome: "reserve"; events: Event[] }
  | { outcome: "taken" }
  /** Read the holder's stream and decide again with its standing. */
  | { outcome: "check-holder"; holder_id: string }
  /** The holder never appeared: fence its stream, then decide again with "abandoned". */
  | { outcome: "fence-holder"; holder_id: string };

export interface ReservationRequest {
  holder_id: string;
  now: Date;
  /** How long a reservation without its holder is trusted to be an in-flight write. */
  pending_grace_ms: number;
}

export interface ReservationVocabulary<Event, Reason extends string> {
  reserved(): Event;
  released(holderId: string, reason: Reason | "creation_abandoned"): Event;
}

export function decideReservation<Event, Reason extends string>(
  request: ReservationRequest,
  current: { holder_id: string; reserved_at: string } | null,
  vocabulary: ReservationVocabulary<Event, Reason>,
  standing?: HolderStanding<Reason>,
): ReservationDecision<Event> {
  if (current === null) return { outcome: "reserve", events: [vocabulary.reserved()] };
  if (current.holder_id === request.holder_id) return { outcome: "reserve", events: [] };
  if (standing === undefined) {
    const age = request.now.getTime() - Date.parse(current.reserved_at);
    return age < request.pending_grace_ms ? { outcome: "taken" } : { outcome: "check-holder", holder_id: current.holder_id };
  }
  const takeOver = (reason: Reason | "creation_abandoned"): ReservationDecision<Event> => ({
    outcome: "reserve",
    events: [vocabulary.released(current.holder_id, reason), vocabulary.reserved()],
  });
  switch (standing.kind) {
    case "holds":
      return { outcome: "taken" };
    case "moved-on":
      return takeOver(standing.reason);
    case "absent":
      return { outcome: "fence-holder", holder_id: current.holder_id };
    case "abandoned":
      return takeOver("creation_abandoned");
  }
}
