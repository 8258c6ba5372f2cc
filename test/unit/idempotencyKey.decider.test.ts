/**
 * An Idempotency-Key's decisions, given/when/then: taken by a first write, answered, replayed
 * for the same request, refused for another, and free again after 24 hours.
 */
import t, { type Test } from "tap";
import {
  type IdempotencyKeyEvent,
  type IdempotencyKeyState,
  IdempotencyKeyReused,
  IdempotentRequestInFlight,
  KEY_LIFETIME_MS,
  decideAnswered,
  decideKeyUse,
  decideWritten,
  evolveIdempotencyKey,
  initialIdempotencyKeyState,
} from "../../shared/idempotencyKeys/idempotencyKey.js";
import { deciderSpec } from "../support/decider.js";

const start = new Date("2026-03-01T00:00:00.000Z");
const later = (ms: number) => new Date(start.getTime() + ms);
const expires = later(KEY_LIFETIME_MS).toISOString();
const answer = { status: 200, body: '{"customer":{"id":"cus_1"}}', headers: { etag: '"0-abc"' } };
const written: IdempotencyKeyEvent = { type: "IdempotentRequestWritten", data: { fingerprint: "f1", request_id: "r1", expires_at: expires } };
const answered: IdempotencyKeyEvent = { type: "IdempotentRequestAnswered", data: { fingerprint: "f1", request_id: "r1", answer, expires_at: expires } };

type Use = { fingerprint: string; now: Date };
const stateOf = (events: IdempotencyKeyEvent[]): IdempotencyKeyState => events.reduce(evolveIdempotencyKey, initialIdempotencyKeyState());
const use = (events: IdempotencyKeyEvent[], fingerprint: string, now: Date) => decideKeyUse(stateOf(events), fingerprint, now);
const writing = (t: Test) =>
  deciderSpec(t, {
    decide: (command: Use, state: IdempotencyKeyState): IdempotencyKeyEvent[] => decideWritten(state, { fingerprint: command.fingerprint, request_id: "r2" }, command.now),
    evolve: evolveIdempotencyKey,
    initialState: initialIdempotencyKeyState,
  });

t.test("a new key runs its request, and its first write takes it for 24 hours", async (t) => {
  t.same(use([], "f1", start), { action: "run" });
  writing(t)
    .given([])
    .when({ fingerprint: "f1", now: start })
    .then([{ type: "IdempotentRequestWritten", data: { fingerprint: "f1", request_id: "r2", expires_at: expires } }]);
});

t.test("the same request gets the recorded answer; another one is refused; one still running is a conflict", async (t) => {
  t.same(use([written, answered], "f1", later(1000)), { action: "replay", answer });
  t.throws(() => use([written, answered], "f2", later(1000)), IdempotencyKeyReused);
  t.throws(() => use([written], "f1", later(1000)), IdempotentRequestInFlight, "written, not answered yet");
  t.throws(() => use([written], "f2", later(1000)), IdempotencyKeyReused);
  writing(t).given([written]).when({ fingerprint: "f1", now: later(1) }).thenThrows(IdempotentRequestInFlight);
  // This very request (r2) wrote the key and is deciding again: nothing more to write for it.
  writing(t)
    .given([{ ...written, data: { ...written.data, request_id: "r2" } }])
    .when({ fingerprint: "f1", now: later(1) })
    .then([]);
  writing(t).given([written, answered]).when({ fingerprint: "f1", now: later(1) }).thenThrows(IdempotentRequestInFlight, "A request with this Idempotency-Key is still being processed");
});

t.test("after 24 hours the key is free for any request", async (t) => {
  t.same(use([written, answered], "f2", later(KEY_LIFETIME_MS)), { action: "run" });
  t.same(use([written], "f1", later(KEY_LIFETIME_MS + 1)), { action: "run" });
  writing(t)
    .given([written, answered])
    .when({ fingerprint: "f2", now: later(KEY_LIFETIME_MS) })
    .then([{ type: "IdempotentRequestWritten", data: { fingerprint: "f2", request_id: "r2", expires_at: later(2 * KEY_LIFETIME_MS).toISOString() } }]);
});

t.test("an answer keeps the lifetime of the write; a request that wrote nothing starts it when answered", async (t) => {
  const afterWrite = decideAnswered(stateOf([written]), { fingerprint: "f1", request_id: "r1", answer }, later(5000));
  t.equal(afterWrite[0]!.data.expires_at, expires);
  const nothingWritten = decideAnswered(stateOf([]), { fingerprint: "f1", request_id: "r1", answer }, later(5000));
  t.equal(nothingWritten[0]!.data.expires_at, later(5000 + KEY_LIFETIME_MS).toISOString());
  t.same(stateOf([written, { ...answered, data: { ...answered.data, fingerprint: "f0" } }]).status, "written", "a stale answer of another request does not count");
});
