/**
 * A keyed request that has written nothing yet (or never will: an update that changes
 * nothing) still holds its key in its process: a retry reaching the same process while it
 * runs is refused, 409 for the same request and 422 for another, and the key is free again
 * once it has answered. On a real SQLite event store.
 */
import { join } from "node:path";
import t, { type Test } from "tap";
import { IdempotencyKeys, type KeyedRequest } from "../../shared/application/idempotencyKeys.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { IdempotencyKeyReused, IdempotentRequestInFlight } from "../../shared/idempotencyKeys/idempotencyKey.js";
import { silentLogger } from "../../shared/logger.js";
import { makeDataDir } from "../support/service.js";

/** Keys over a fresh SQLite event store, closed with the test. */
function openKeys(t: Test): IdempotencyKeys {
  const data = makeDataDir();
  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  t.teardown(async () => {
    await store.close();
    data.remove();
  });
  return new IdempotencyKeys({ store, clock: () => new Date(), logger: silentLogger });
}

const context = { actor: { id: "user_01TESTADMIN0000000000000", type: "user" }, correlationId: "req_1", causationId: "req_1" };

t.test("a running request holds its key in its process until it has answered", async (t) => {
  const keys = openKeys(t);
  const request = (fingerprint: string, requestId: string): KeyedRequest => ({ actorId: "user_a", route: "POST /admin/customers/:id", key: "k1", fingerprint, requestId });

  const first = await keys.start(request("same", "req_1"));
  t.equal(first.action, "run");
  await t.rejects(keys.start(request("same", "req_2")), IdempotentRequestInFlight, "the same request while the first runs: in flight (409)");
  await t.rejects(keys.start(request("other", "req_3")), IdempotencyKeyReused, "another request with the key while the first runs: 422");
  const otherActor = await keys.start({ ...request("same", "req_4"), actorId: "user_b" });
  t.equal(otherActor.action, "run", "another actor's key of the same name is another key");

  if (first.action !== "run") return;
  await keys.answered(first.claim, { status: 200, body: '{"customer":{}}', headers: {} }, context);
  keys.finished(first.claim);
  const replay = await keys.start(request("same", "req_5"));
  t.same(replay, { action: "replay", answer: { status: 200, body: '{"customer":{}}', headers: {} } }, "once answered, replayed");
  await t.rejects(keys.start(request("other", "req_6")), IdempotencyKeyReused, "and another request is refused by the store's record");
});

t.test("a request that ended without an answer to keep (a 5xx) frees its key for a retry", async (t) => {
  const keys = openKeys(t);
  const request: KeyedRequest = { actorId: "user_a", route: "DELETE /admin/customers/:id", key: "k2", fingerprint: "f", requestId: "req_1" };
  const first = await keys.start(request);
  if (first.action !== "run") return t.fail("the first use runs");
  // Another request's end does not free it.
  keys.finished({ ...first.claim, request: { ...request, requestId: "req_other" } } as typeof first.claim);
  await t.rejects(keys.start({ ...request, requestId: "req_2" }), IdempotentRequestInFlight);
  keys.finished(first.claim);
  const retry = await keys.start({ ...request, requestId: "req_3" });
  t.equal(retry.action, "run", "the retry runs");
});
