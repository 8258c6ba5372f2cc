/**
 * `npm run user -- -e admin@example.com -p secret`: creates an admin user who can log in
 * with POST /auth/user/emailpass, as `medusa user` does. Writes to the configured event
 * store (the SQLite file in DATA_DIR, or KurrentDB when KURRENTDB_URL is set), so every
 * command service using that store can log the user in at once.
 */
import { randomUUID } from "node:crypto";
import { ulidFactory } from "../../shared/runtime/ulids.js";
import { AdminUsers } from "../../shared/application/adminUsers.js";
import { openEventStore } from "../../shared/runtime/adapters.js";
import { exitWithUsage, loadCliSettings, parseCommandLine } from "../../shared/runtime/cli.js";
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

When a user with that email exists already, it changes nothing, says so on one line and
exits with status 0, so a set-up script can run it again. Other failures exit with 1,
a wrong command line with 2.

Example:
  npm run user -- -e admin@example.com -p supersecret`;

const values = parseCommandLine({ email: { type: "string", short: "e" }, password: { type: "string", short: "p" } }, usage);
if (!values.email || !values.password) exitWithUsage(`${!values.email ? "--email" : "--password"} is required.`, usage);

const settings = loadCliSettings();
const store = openEventStore(settings);
const newUlid = ulidFactory();
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
  if (error instanceof UserAlreadyExists) {
    // Not a failure: the user this command asks for is there (a set-up run twice).
    console.log(`Admin user ${error.email} already exists; nothing changed. Log in with their password, or choose another email.`);
  } else {
    console.error(`Could not create the user: ${(error as Error).message}`);
    process.exitCode = 1;
  }
} finally {
  await store.close();
}
