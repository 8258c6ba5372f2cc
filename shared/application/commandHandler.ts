/**
 * The one write pipeline every command runs through: load the stream's latest state, decide
 * on it, append expecting that revision; when another writer got there first, wait a moment
 * and decide again on top of its write, so no change is ever lost silently.
 *
 * Writes to one stream from this process run one at a time (OneAtATime), so they follow each
 * other instead of racing; the expected-revision check still settles races with other
 * processes. With a StreamStateCache, a write starts from the last state seen and leaves the
 * state it wrote for the next one. The first attempt trusts the cached state without reading
 * (another process's write since then fails the append's expected revision, and the retry
 * reads); a decision that writes nothing or refuses is only believed once decided on what the
 * store holds, so a stale state never answers "not found" or "nothing to change".
 *
 * A new stream (`newStream`) is decided on the aggregate's initial state without a read and
 * appended expecting no stream at all: the only writer that can get there first is a later
 * create fencing this one as abandoned (shared/application/reservation.ts), so that is a
 * conflict, never a retry.
 *
 * Writes to other streams that must land with this one (`alongside`: the reservation of a
 * unique value; `alongsideAfter`: the release of one this write gives up) are appended with it
 * in one atomic write, one commit for all. Another writer getting to one of those streams
 * first means deciding everything again, a new stream included. Where the store cannot write
 * streams together, the reservations are appended first, one at a time, then this stream's
 * events, then the releases: the order the reservations are designed for (a reservation whose
 * holder never came to be is fenced later; a release that never came is made good by the
 * value's next claim). A release that fails there is reported (`followUpFailed`), and the
 * command's own write stands.
 *
 * A command made on a revision the client read (`context.ifMatch`, from If-Match) is decided
 * only on that revision: a stream found elsewhere, or moved by another writer before the
 * append, answers StaleRevision instead of being decided again.
 *
 * A request with an Idempotency-Key takes it in its first write that has events: the key's
 * stream is written first among the streams alongside, so a store that cannot write streams
 * together takes the key before anything else (the same request is then never written twice).
 * Another request taking the key first is a race lost on a stream alongside: deciding again
 * reads the key, and refuses (shared/idempotencyKeys/idempotencyKey.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ConcurrentWriteConflict, Failure, StaleRevision } from "../errors.js";
import { type Aggregate, type LoadedStream, cachedStream, loadStream } from "../eventstore/loadStream.js";
import { OneAtATime } from "../eventstore/oneAtATime.js";
import { type EventStore, type StreamAppend, MultiStreamAppendUnsupported, WrongExpectedRevision } from "../eventstore/port.js";
import type { StreamStateCache } from "../eventstore/streamStateCache.js";
import { type CommandContext, toEventsToAppend } from "./context.js";

export type { Aggregate } from "../eventstore/loadStream.js";

/** Attempts of a write that keeps losing the race for its stream to other processes. */
const MAX_ATTEMPTS = 8;

/**
 * Writes to other streams that must land with this one or not at all; none to write is [].
 * `attempt` counts from 0: a first attempt may guess (see reservation.ts), a later one follows
 * a lost race and must read.
 */
export type CompanionWrites<State, Event> = (events: Event[], state: State, now: Date, attempt: number) => Promise<StreamAppend[]>;

/** What a command wrote: what the HTTP layer needs to show it (shared/readmodel/readYourWrites.ts). */
export interface Handled<State, Event> {
  stream: string;
  /** The state after the write (or as found, when nothing was decided). */
  state: State;
  /** The events this write appended (none when nothing was decided). */
  events: Event[];
  /** The stream's last revision; -1 when it has no events. */
  revision: number;
  changed: boolean;
}

export interface HandleOptions<State, Event> {
  clock: () => Date;
  context: CommandContext;
  /** What to write to other streams with this write (reservations): see the module comment. */
  alongside?: CompanionWrites<State, Event>;
  /** What to write to other streams with this write, or right after it (releases): see the module comment. */
  alongsideAfter?: CompanionWrites<State, Event>;
  /** Hears of a write that was to follow this one and failed, where the store cannot write streams together. */
  followUpFailed?: (error: unknown) => void;
  states?: StreamStateCache;
  /** The stream is created by this write: see the module comment. */
  newStream?: boolean;
}

type Decide<State, Event> = (state: State, now: Date) => Event[] | Promise<Event[]>;

/** One queue per store: two stores in one process (tests) do not hold each other up. */
const writeQueues = new WeakMap<EventStore, OneAtATime>();

export function handleCommand<State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  stream: string,
  aggregate: Aggregate<State, Event>,
  decide: Decide<State, Event>,
  options: HandleOptions<State, Event>,
): Promise<Handled<State, Event>> {
  let queue = writeQueues.get(store);
  if (!queue) writeQueues.set(store, (queue = new OneAtATime()));
  return queue.run(stream, async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      if (attempt > 0) await sleep(backoffMs(attempt));
      const outcome = await attemptOnce(store, stream, aggregate, decide, options, attempt);
      if (outcome !== LOST_OWN_STREAM && outcome !== LOST_OTHER_STREAM) return outcome;
      if (outcome === LOST_OWN_STREAM && options.newStream) break;
    }
    throw new ConcurrentWriteConflict(stream);
  });
}

/** Another writer got to this stream first. */
const LOST_OWN_STREAM = Symbol("lost the race for the stream");
/** Another writer got first to a stream written alongside. */
const LOST_OTHER_STREAM = Symbol("lost the race for a stream written alongside");

async function attemptOnce<State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  stream: string,
  aggregate: Aggregate<State, Event>,
  decide: Decide<State, Event>,
  options: HandleOptions<State, Event>,
  attempt: number,
): Promise<Handled<State, Event> | typeof LOST_OWN_STREAM | typeof LOST_OTHER_STREAM> {
  const { states } = options;
  const { ifMatch } = options.context;
  const now = options.clock();
  const load = async (): Promise<LoadedStream<State>> => {
    const read = await loadStream(store, stream, aggregate, states);
    if (ifMatch && !ifMatch.includes(read.revision)) throw await staleOrMissing(read);
    return read;
  };
  // What the request would answer without If-Match comes first when it is not found or invalid
  // whatever the revision (RFC 9110, 13.2.1): only a request that could succeed is told it is stale.
  const staleOrMissing = async (read: LoadedStream<State>): Promise<Error> => {
    const refusal = await Promise.resolve(read.state).then((found) => decide(found, now)).then(() => undefined, (error: unknown) => error);
    return refusal instanceof Failure && (refusal.kind === "not_found" || refusal.kind === "invalid") ? refusal : new StaleRevision(stream, read.revision);
  };
  // A first attempt starts from the cached state as it is (when it is at a revision If-Match
  // names: another one may only be out of date); a new stream from the initial state.
  const candidate = !options.newStream && attempt === 0 ? cachedStream(stream, aggregate, states) : undefined;
  const cached = candidate && (!ifMatch || ifMatch.includes(candidate.revision)) ? candidate : undefined;
  let loaded: LoadedStream<State> = options.newStream
    ? { state: aggregate.initialState(), revision: -1, expectedRevision: "no_stream" }
    : (cached ?? (await load()));
  // On the cached state, a refusal (thrown) or a no-op is decided again on what the store holds.
  let events = cached ? await Promise.resolve(cached.state).then((state) => decide(state, now)).catch((): Event[] => []) : await decide(loaded.state, now);
  if (cached && events.length === 0) {
    loaded = await load();
    events = await decide(loaded.state, now);
  }
  if (events.length === 0) return { stream, state: loaded.state, events, revision: loaded.revision, changed: false };
  const { idempotency } = options.context;
  const key = await idempotency?.append(options.context, now, attempt);
  const before = withEvents([...(key ? [key] : []), ...((await options.alongside?.(events, loaded.state, now, attempt)) ?? [])]);
  const stateBefore = loaded.state;
  const followUps = (followUpAttempt: number) => options.alongsideAfter?.(events, stateBefore, now, followUpAttempt);
  const after = withEvents(await followUps(attempt));
  const own: StreamAppend = { stream, events: toEventsToAppend(events, options.context, now), expectedRevision: loaded.expectedRevision };
  const appended = await writeTogether(store, before, own, after);
  const kind = aggregate.kind;
  if (appended instanceof WrongExpectedRevision) {
    if (appended.stream !== stream) return LOST_OTHER_STREAM;
    // Another process wrote the stream; a cached state may also be from elsewhere than the store.
    if (states && kind !== undefined) states.delete(kind, stream);
    if (ifMatch) throw new StaleRevision(stream, appended.actual === "no_stream" ? -1 : appended.actual);
    return LOST_OWN_STREAM;
  }
  if (key) idempotency!.taken();
  const { revision } = appended;
  const state = events.reduce((folded, event, index) => aggregate.evolve(folded, event, loaded.revision + 1 + index), loaded.state);
  if (states && kind !== undefined) states.set(kind, stream, { revision, state });
  if (!appended.together && after.length > 0) await writeFollowUps(store, after, followUps, options.followUpFailed);
  return { stream, state, events, revision, changed: true };
}

const withEvents = (appends: StreamAppend[] | undefined): StreamAppend[] => (appends ?? []).filter((append) => append.events.length > 0);

/** A few milliseconds, growing and spread out, so writers that keep colliding stop doing so. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(100, 2 ** attempt);
}

/**
 * The appends in one atomic write, or, where the store cannot, `before` one at a time and then
 * the own stream's (`after` is then left to the caller: together is false). The own stream's
 * revision written, or the conflict of the stream that was not at its expected revision.
 */
async function writeTogether(
  store: EventStore,
  before: StreamAppend[],
  own: StreamAppend,
  after: StreamAppend[],
): Promise<{ revision: number; together: boolean } | WrongExpectedRevision> {
  try {
    if (before.length + after.length > 0) {
      try {
        const results = await store.appendToStreams([...before, own, ...after]);
        return { revision: results[before.length]!.revision, together: true };
      } catch (error) {
        if (!(error instanceof MultiStreamAppendUnsupported)) throw error;
      }
    }
    let revision = -1;
    for (const { stream, events, expectedRevision } of [...before, own]) revision = (await store.appendToStream(stream, events, { expectedRevision })).revision;
    return { revision, together: false };
  } catch (error) {
    if (error instanceof WrongExpectedRevision) return error;
    throw error;
  }
}

/**
 * The releases that follow a write on a store that cannot write streams together, each on
 * its own; one that lost a race is decided again (reading what is there now).
 */
async function writeFollowUps(
  store: EventStore,
  first: StreamAppend[],
  decideAgain: (attempt: number) => Promise<StreamAppend[]> | undefined,
  failed: (error: unknown) => void = () => undefined,
): Promise<void> {
  let pending = first;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    try {
      for (const { stream, events, expectedRevision } of pending) await store.appendToStream(stream, events, { expectedRevision });
      return;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision) || attempt >= MAX_ATTEMPTS) return failed(error);
    }
    await sleep(backoffMs(attempt));
    try {
      pending = withEvents(await decideAgain(attempt));
    } catch (error) {
      return failed(error);
    }
  }
}
