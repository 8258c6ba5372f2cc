/**
 * The session-store contract: the SQLite adapter and the MongoDB adapter both run it.
 */
import { randomUUID } from "node:crypto";
import type { Test } from "tap";
import type { AuthContext } from "../../shared/auth/adminToken.js";
import type { SessionStore } from "../../shared/sessions/port.js";

export interface SessionStoreFixture {
  store: SessionStore;
  /** A second handle on the same storage, as another command service would have. */
  reopen(): Promise<SessionStore>;
  cleanup(): Promise<void>;
}

const context = (actor_id: string): AuthContext => ({
  actor_id,
  actor_type: "user",
  auth_identity_id: "authid_1",
  auth_provider: "emailpass",
  mfa_enabled: false,
  mfa_challenge_completed_at: null,
  app_metadata: { user_id: actor_id, "dotted.key": 1, $dollar: true },
  user_metadata: {},
  iat: 1,
  exp: 2,
});

export function sessionStoreContract(t: Test, makeFixture: () => Promise<SessionStoreFixture>): void {
  let fixture: SessionStoreFixture;
  const t0 = new Date("2026-01-01T00:00:00.000Z");
  const at = (ms: number) => new Date(t0.getTime() + ms);
  t.beforeEach(async () => {
    fixture = await makeFixture();
  });
  t.afterEach(async () => fixture.cleanup());

  t.test("a saved session reads back as it was saved, from another handle too", async (t) => {
    const id = randomUUID();
    await fixture.store.save(id, context("user_1"), at(10_000));
    t.same(await fixture.store.get(id, t0), context("user_1"));
    const other = await fixture.reopen();
    t.teardown(() => other.close());
    t.same(await other.get(id, t0), context("user_1"));
    t.equal(await fixture.store.get(randomUUID(), t0), undefined);
  });

  t.test("saving again replaces the session", async (t) => {
    const id = randomUUID();
    await fixture.store.save(id, context("user_1"), at(10_000));
    await fixture.store.save(id, context("user_2"), at(20_000));
    t.equal((await fixture.store.get(id, at(15_000)))?.actor_id, "user_2");
  });

  t.test("a session is gone once it expires", async (t) => {
    const id = randomUUID();
    await fixture.store.save(id, context("user_1"), at(1000));
    t.ok(await fixture.store.get(id, at(999)));
    t.equal(await fixture.store.get(id, at(1000)), undefined);
  });

  t.test("a destroyed session is gone at once, everywhere", async (t) => {
    const id = randomUUID();
    await fixture.store.save(id, context("user_1"), at(10_000));
    const other = await fixture.reopen();
    t.teardown(() => other.close());
    await other.destroy(id);
    t.equal(await fixture.store.get(id, t0), undefined);
    await fixture.store.destroy(id);
    await fixture.store.destroy(randomUUID());
  });

  t.test("deleteExpired removes expired sessions only", async (t) => {
    const [old1, old2, live] = [randomUUID(), randomUUID(), randomUUID()];
    await fixture.store.save(old1, context("user_1"), at(1000));
    await fixture.store.save(old2, context("user_1"), at(2000));
    await fixture.store.save(live, context("user_1"), at(10_000_000));
    t.ok((await fixture.store.deleteExpired(at(5000))) >= 2);
    t.ok(await fixture.store.get(live, at(5000)));
    t.equal(await fixture.store.get(old1, t0), undefined, "deleted, not just hidden");
    t.equal(await fixture.store.get(old2, t0), undefined);
  });
}
