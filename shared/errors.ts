/**
 * The failures the service expects, as values of a few kinds. The domain and the adapters
 * throw them; the HTTP layer maps each kind to Medusa's error body once
 * (shared/http/errors.ts), and the command-line tools print their messages. Anything else
 * thrown is a bug or an outage nobody foresaw, and answers 500.
 */
export type FailureKind =
  /** What the request names does not exist (404). */
  | "not_found"
  /** A value that must be unique is held by someone else (400, as Medusa answers). */
  | "taken"
  /** The request lost a race it may safely retry (409). */
  | "conflict"
  /** The request was made on a revision that is no longer the current one (If-Match; 412). */
  | "stale"
  /** An Idempotency-Key already used for a different request (422). */
  | "reused"
  /** The request is well-formed but asks for something not allowed (400). */
  | "invalid"
  /** The credentials are wrong (401). */
  | "unauthorised"
  /** Too many attempts; try again after `retryAfterMs` (429). */
  | "throttled"
  /** A store the request needs cannot be reached; nothing changed, retry later (503). */
  | "unavailable";

export abstract class Failure extends Error {
  abstract readonly kind: FailureKind;
  /** How long the client should wait before it tries again (throttled and unavailable). */
  readonly retryAfterMs?: number;
  /** What the client is told, when the message is for the logs (an outage's cause). */
  readonly publicMessage?: string;
}

/** Two writers raced for the same stream and this one lost more often than it retries. */
export class ConcurrentWriteConflict extends Failure {
  override readonly name = "ConcurrentWriteConflict";
  readonly kind = "conflict";
  constructor(readonly stream: string) {
    super(`Concurrent write to ${stream}`);
  }
}

/**
 * The stream is not at a revision the request was made on (its If-Match): someone changed
 * the entity since the client read it. Nothing was written.
 */
export class StaleRevision extends Failure {
  override readonly name = "StaleRevision";
  readonly kind = "stale";
  constructor(
    readonly stream: string,
    readonly actual: number,
  ) {
    super(
      actual === -1
        ? "Precondition failed: If-Match names a revision of something that does not exist."
        : `Precondition failed: it changed since the revision If-Match names (it is at revision ${actual} now). Fetch it again and retry with its new ETag.`,
    );
  }
}

/** A change that would take an entity over one of its size limits. */
export class LimitExceeded extends Failure {
  override readonly name = "LimitExceeded";
  readonly kind = "invalid";
  constructor(detail: string) {
    super(`Invalid request: ${detail}`);
  }
}

/** A store a request needs is down or too slow; the request changed nothing. */
export abstract class Unavailable extends Failure {
  readonly kind = "unavailable";
  override readonly retryAfterMs: number = 1000;
  abstract override readonly publicMessage: string;
}
