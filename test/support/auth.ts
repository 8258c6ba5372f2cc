/**
 * The authentication dependencies of the HTTP app for suites that build the app
 * themselves (rather than starting the service): real adapters on a test directory.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { AdminUsers } from "../../shared/application/adminUsers.js";
import { ApiKeys } from "../../shared/application/apiKeys.js";
import { EmailPassLogin } from "../../shared/application/emailpassLogin.js";
import { LoginThrottle } from "../../shared/auth/loginThrottle.js";
import { loadSettings } from "../../shared/config.js";
import type { EventStore } from "../../shared/eventstore/port.js";
import type { AuthDependencies } from "../../shared/http/app.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { SqliteSessionStore } from "../../shared/sessions/sqlite.js";
import { ulid } from "ulid";

export function authDependencies(store: EventStore, dataDir: string): AuthDependencies {
  const clock = () => new Date();
  const users = new AdminUsers({
    store,
    clock,
    newUserId: () => `user_${randomUUID()}`,
    newAuthIdentityId: () => `authid_${randomUUID()}`,
    reservationGraceMs: 30_000,
  });
  const settings = loadSettings({ NODE_ENV: "test" }).auth;
  return {
    users,
    login: new EmailPassLogin({ users, throttle: new LoginThrottle({ maxFailuresPerEmail: 5, maxFailuresPerClient: 50, windowMs: 60_000 }) }),
    apiKeys: new ApiKeys({ store, clock, newApiKeyId: () => `apk_${randomUUID()}` }),
    sessions: new SqliteSessionStore(join(dataDir, "sessions.sqlite")),
    settings,
    secureCookies: false,
  };
}

/**
 * Writes to the event store file of a running embedded service through a connection of
 * its own, as `npm run user` and `npm run api-key` do.
 */
export async function withServiceStore<T>(dataDir: string, work: (store: SqliteEventStore) => Promise<T>): Promise<T> {
  const store = new SqliteEventStore(join(dataDir, "events.sqlite"));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const cliContext = () => ({ actor: { id: "cli", type: "system" }, correlationId: randomUUID(), causationId: randomUUID() });

export function createAdminUser(dataDir: string, email: string, password: string) {
  return withServiceStore(dataDir, (store) => createAdminUserIn(store, email, password));
}

/** As `npm run user` does, in any event store. */
export function createAdminUserIn(store: EventStore, email: string, password: string) {
  return new AdminUsers({
    store,
    clock: () => new Date(),
    newUserId: () => `user_${ulid()}`,
    newAuthIdentityId: () => `authid_${ulid()}`,
    reservationGraceMs: 30_000,
  }).create({ email, password }, cliContext());
}

const apiKeys = (store: EventStore) => new ApiKeys({ store, clock: () => new Date(), newApiKeyId: () => `apk_${ulid()}` });

export function createApiKey(dataDir: string, title: string) {
  return withServiceStore(dataDir, (store) => apiKeys(store).create(title, cliContext()));
}

export function revokeApiKey(dataDir: string, id: string) {
  return withServiceStore(dataDir, (store) => apiKeys(store).revoke(id, cliContext()));
}
