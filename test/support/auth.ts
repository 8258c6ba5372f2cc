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
import { SqliteSessionStore } from "../../shared/sessions/sqlite.js";

export function authDependencies(store: EventStore, dataDir: string): AuthDependencies {
  const clock = () => new Date();
  const users = new AdminUsers({
    store,
    clock,
    newUserId: () => `user_${randomUUID()}`,
    newAuthIdentityId: () => `authid_${randomUUID()}`,
    emailReservationGraceMs: 30_000,
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
