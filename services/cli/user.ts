/**
 * `npm run user -- -e admin@example.com -p secret`: creates an admin user who can log in
 * with POST /auth/user/emailpass, as `medusa user` does. Writes to the configured event
 * store (the SQLite file in DATA_DIR, or KurrentDB when KURRENTDB_URL is set), so every
 * command service using that store can log the user in at once.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { monotonicFactory } from "ulid";
import { AdminUsers } from "../../shared/application/adminUsers.js";
import { ConfigurationError, loadSettings } from "../../shared/config.js";
import { openEventStore } from "../../shared/runtime/adapters.js";
import { UserAlreadyExists } from "../../shared/users/user.js";

const usage = `Usage: npm run user -- --email EMAIL --password PASSWORD

Creates an admin user who can log in to the admin API (POST /auth/user/emailpass,
or sdk.auth.login("user", "emailpass", { email, password }) with @medusajs/js-sdk).
The user is stored in the event store the service uses: the SQLite file in DATA_DIR
(default ./data), or KurrentDB when KURRENTDB_URL is set. Run it with the same settings
as the service.

  -e, --email       the email to log in with (matched exactly, as Medusa does)
  -p, --password    the password (stored only as a scrypt hash)
  -h, --help        show this text

Example:
  npm run user -- -e admin@example.com -p supersecret`;

let values: { email?: string; password?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      email: { type: "string", short: "e" },
      password: { type: "string", short: "p" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (!values.email || !values.password) {
  console.error(`${!values.email ? "--email" : "--password"} is required.\n\n${usage}`);
  process.exit(2);
}

let settings;
try {
  settings = loadSettings();
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(`Configuration error: ${error.message}`);
  process.exit(78);
}

const store = openEventStore(settings);
const newUlid = monotonicFactory();
const users = new AdminUsers({
  store,
  clock: () => new Date(),
  newUserId: () => `user_${newUlid()}`,
  newAuthIdentityId: () => `authid_${newUlid()}`,
  reservationGraceMs: settings.reservationGraceMs,
});
try {
  const user = await users.create(
    { email: values.email, password: values.password },
    { actor: { id: "cli", type: "system" }, correlationId: randomUUID(), causationId: randomUUID() },
  );
  console.log(`Created admin user ${user.id} (${user.email}).`);
} catch (error) {
  console.error(error instanceof UserAlreadyExists ? error.message : `Could not create the user: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await store.close();
}
