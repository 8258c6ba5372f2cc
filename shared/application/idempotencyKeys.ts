/**
 * Idempotency-Key handling around a request (the decisions are in
 * shared/idempotencyKeys/idempotencyKey.ts): before it runs, its key's stream says whether to
 * run it or replay an answer; while it runs, its first write takes the key (a KeyClaim in its
 * CommandContext, appended by commandHandler.ts); once answered, the answer is recorded. Keys
 * live in the event store, so every command service sees the same ones.
 */
import { createHash } from "node:crypto";
import { type Aggregate, loadStream } from "../eventstore/loadStream.js";
import type { EventStore, ExpectedRevision, StreamAppend } from "../eventstore/port.js";
import {
  IdempotencyKeyReused,
  type IdempotencyKeyEvent,
  type IdempotencyKeyState,
  IdempotentRequestInFlight,
  type RecordedAnswer,
  decideAnswered,
  decideKeyUse,
  decideWritten,
  evolveIdempotencyKey,
  idempotencyKeyStreamName,
  initialIdempotencyKeyState,
} from "../idempotencyKeys/idempotencyKey.js";
import type { Logger } from "../logger.js";
import { type CommandContext, type KeyClaim, toEventsToAppend } from "./context.js";

const KEY: Aggregate<IdempotencyKeyState, IdempotencyKeyEvent> = { evolve: evolveIdempotencyKey, initialState: initialIdempotencyKeyState };

/** A request that carries an Idempotency-Key. */
export interface KeyedRequest {
  /** Who sent it, to which route (method and route pattern), with which key: a key's scope. */
  actorId: string;
  route: string;
  key: string;
  /** What makes two requests the same one (see the HTTP layer's fingerprint). */
  fingerprint: string;
  requestId: string;
}

export type KeyedStart = { action: "replay"; answer: RecordedAnswer } | { action: "run"; claim: RequestKeyClaim };

/**
 * A request of this process older than this no longer holds its key here: its answer never
 * came (a hook that did not run); the store's record still decides.
 */
const RUNNING_FOR_AT_MOST_MS = 10 * 60 * 1000;

export class IdempotencyKeys {
  /**
   * The keyed requests running in this process, by key stream. The store knows a key once its
   * request writes; a request that writes nothing (an update that changes nothing, a rebuild)
   * or has not written yet holds its key here, so that a retry reaching this process while it
   * runs is refused too (409, or 422 for another request) instead of running beside it.
   */
  readonly #running = new Map<string, { fingerprint: string; requestId: string; since: number }>();

  constructor(private readonly deps: { store: EventStore; clock: () => Date; logger: Logger }) {}

  /** Replay, or run with the claim; throws when the key is another request's or its request is still running. */
  async start(request: KeyedRequest): Promise<KeyedStart> {
    const stream = idempotencyKeyStreamName(scopeDigest(request));
    const loaded = await loadStream(this.deps.store, stream, KEY);
    const use = decideKeyUse(loaded.state, request.fingerprint, this.deps.clock());
    if (use.action === "replay") return use;
    const running = this.#running.get(stream);
    if (running && Date.now() - running.since < RUNNING_FOR_AT_MOST_MS) {
      throw running.fingerprint === request.fingerprint ? new IdempotentRequestInFlight() : new IdempotencyKeyReused();
    }
    this.#running.set(stream, { fingerprint: request.fingerprint, requestId: request.requestId, since: Date.now() });
    return { action: "run", claim: new RequestKeyClaim(this.deps.store, stream, request, loaded) };
  }

  /** The claim's request has its answer (or none will come): the key is no longer held in this process. */
  finished(claim: RequestKeyClaim): void {
    if (this.#running.get(claim.stream)?.requestId === claim.request.requestId) this.#running.delete(claim.stream);
  }

  /**
   * Keeps the answer for the key's next uses. A failure is logged, not thrown: the request's
   * own work is done; a retry then finds the key taken without an answer (409) or, if this
   * request wrote nothing, free.
   */
  async answered(claim: RequestKeyClaim, answer: RecordedAnswer, context: CommandContext): Promise<void> {
    const now = this.deps.clock();
    try {
      const { state } = await loadStream(this.deps.store, claim.stream, KEY);
      const events = decideAnswered(state, { fingerprint: claim.request.fingerprint, request_id: claim.request.requestId, answer }, now);
      await this.deps.store.appendToStream(claim.stream, toEventsToAppend(events, context, now), { expectedRevision: "any" });
    } catch (error) {
      this.deps.logger.warn({ err: error, stream: claim.stream }, "could not record the answer of a request with an Idempotency-Key; its retries will be refused until the key expires");
    }
  }
}

/** The key of one running request, taken by its first write (commandHandler.ts). */
export class RequestKeyClaim implements KeyClaim {
  #taken = false;

  constructor(
    private readonly store: EventStore,
    readonly stream: string,
    readonly request: KeyedRequest,
    /** The key as it was when the request started. */
    private readonly found: { state: IdempotencyKeyState; expectedRevision: ExpectedRevision },
  ) {}

  async append(context: CommandContext, now: Date, attempt: number): Promise<StreamAppend | undefined> {
    if (this.#taken) return undefined;
    // A later attempt follows a lost race, perhaps for this very key: read what is there now.
    const loaded = attempt === 0 ? this.found : await loadStream(this.store, this.stream, KEY);
    const events = decideWritten(loaded.state, { fingerprint: this.request.fingerprint, request_id: this.request.requestId }, now);
    if (events.length === 0) {
      this.#taken = true;
      return undefined;
    }
    return { stream: this.stream, events: toEventsToAppend(events, context, now), expectedRevision: loaded.expectedRevision };
  }

  taken(): void {
    this.#taken = true;
  }
}

/** The key's scope as a stream name's part: no personal data or client text in stream names. */
function scopeDigest({ actorId, route, key }: KeyedRequest): string {
  return createHash("sha256").update(`${actorId}\n${route}\n${key}`).digest("hex");
}
