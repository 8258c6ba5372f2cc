/**
 * An Idempotency-Key as the event store keeps it: one stream per key, scoped by who sent it
 * and to which route. Its first use is written in the same write as the request's first
 * events (`IdempotentRequestWritten`), so the key is taken if and only if the request changed
 * something; the answer is recorded once it is known (`IdempotentRequestAnswered`). For 24
 * hours after its first use, the same request with the key gets that answer again, and
 * another request with it is refused. Pure: time comes in with each call.
 */
import { Failure } from "../errors.js";

/** How long a key holds its first request's answer. */
export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** An answer the request was given: replayed as it was, status, body and the headers that matter. */
export interface RecordedAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export type IdempotentRequestWritten = {
  type: "IdempotentRequestWritten";
  data: { fingerprint: string; request_id: string; expires_at: string };
};
export type IdempotentRequestAnswered = {
  type: "IdempotentRequestAnswered";
  data: { fingerprint: string; request_id: string; answer: RecordedAnswer; expires_at: string };
};
export type IdempotencyKeyEvent = IdempotentRequestWritten | IdempotentRequestAnswered;

export type IdempotencyKeyState =
  | { status: "unused" }
  /** The request's changes are written; its answer is not recorded (yet, or ever, if its process died). */
  | { status: "written"; fingerprint: string; expiresAt: string; requestId: string }
  | { status: "answered"; fingerprint: string; expiresAt: string; answer: RecordedAnswer };

export const initialIdempotencyKeyState = (): IdempotencyKeyState => ({ status: "unused" });

export function evolveIdempotencyKey(state: IdempotencyKeyState, event: IdempotencyKeyEvent): IdempotencyKeyState {
  switch (event.type) {
    case "IdempotentRequestWritten":
      return { status: "written", fingerprint: event.data.fingerprint, expiresAt: event.data.expires_at, requestId: event.data.request_id };
    case "IdempotentRequestAnswered":
      // An answer of a use that expired since does not revive it for the newer one.
      if (state.status === "written" && state.fingerprint !== event.data.fingerprint) return state;
      return { status: "answered", fingerprint: event.data.fingerprint, expiresAt: event.data.expires_at, answer: event.data.answer };
  }
}

export const idempotencyKeyStreamName = (scopeDigest: string): string => `idempotency-${scopeDigest}`;

export type KeyUse =
  /** First use (or the last one expired): run the request. */
  | { action: "run" }
  /** The same request within the lifetime: its answer again. */
  | { action: "replay"; answer: RecordedAnswer };

/** What a request with this key gets; throws when it may not run. */
export function decideKeyUse(state: IdempotencyKeyState, fingerprint: string, now: Date): KeyUse {
  if (state.status === "unused" || Date.parse(state.expiresAt) <= now.getTime()) return { action: "run" };
  if (state.fingerprint !== fingerprint) throw new IdempotencyKeyReused();
  if (state.status === "answered") return { action: "replay", answer: state.answer };
  throw new IdempotentRequestInFlight();
}

/**
 * The events of a key's first use, written with the request's first events; none when this
 * very request already wrote them (a store that cannot write streams together wrote the key,
 * then lost the race for the request's own stream, and the request is deciding again).
 */
export function decideWritten(state: IdempotencyKeyState, request: { fingerprint: string; request_id: string }, now: Date): IdempotentRequestWritten[] {
  if (state.status === "written" && state.requestId === request.request_id && Date.parse(state.expiresAt) > now.getTime()) return [];
  // Another request with the key may have got there first: checked again, in the write that takes it.
  // Its answer may even be recorded by now; this copy of it still must not write (it is told to retry).
  if (decideKeyUse(state, request.fingerprint, now).action === "replay") throw new IdempotentRequestInFlight();
  return [{ type: "IdempotentRequestWritten", data: { ...request, expires_at: expiry(now) } }];
}

export function decideAnswered(
  state: IdempotencyKeyState,
  request: { fingerprint: string; request_id: string; answer: RecordedAnswer },
  now: Date,
): IdempotentRequestAnswered[] {
  // Its lifetime runs from its first write; a request that wrote nothing starts it now.
  const expiresAt = state.status === "written" && state.fingerprint === request.fingerprint ? state.expiresAt : expiry(now);
  return [{ type: "IdempotentRequestAnswered", data: { ...request, expires_at: expiresAt } }];
}

const expiry = (now: Date): string => new Date(now.getTime() + KEY_LIFETIME_MS).toISOString();

/** The key was used within 24 hours for another request (422, Medusa's invalid_data). */
export class IdempotencyKeyReused extends Failure {
  override readonly name = "IdempotencyKeyReused";
  readonly kind = "reused";
  constructor() {
    super("This Idempotency-Key was used in the last 24 hours for a different request (another body, query, path or If-Match). Use a new key for a new request.");
  }
}

/** The request the key was first used for has written its changes and not answered yet (409). */
export class IdempotentRequestInFlight extends Failure {
  override readonly name = "IdempotentRequestInFlight";
  readonly kind = "conflict";
  constructor() {
    super("A request with this Idempotency-Key is still being processed");
  }
}
