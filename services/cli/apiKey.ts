/**
 * `npm run api-key -- --title CI`: creates a secret API key (`sk_...`) for scripts and
 * servers to call the admin API with `Authorization: Basic <key>`. The key is printed once
 * and only its SHA-256 is stored. `--revoke apk_...` revokes one, `--list` lists them.
 */
import { randomUUID } from "node:crypto";
import { ulidFactory } from "../../shared/runtime/ulids.js";
import { ApiKeyNotFound } from "../../shared/apiKeys/apiKey.js";
import { ApiKeys } from "../../shared/application/apiKeys.js";
import { openEventStore } from "../../shared/runtime/adapters.js";
import { exitWithUsage, loadCliSettings, parseCommandLine } from "../../shared/runtime/cli.js";

const usage = `Usage: npm run api-key -- --title TITLE
       npm run api-key -- --revoke apk_...
       npm run api-key -- --list

Creates a secret API key for the admin API and prints it once (only its hash is kept).
Send it as HTTP Basic authentication, like Medusa's secret keys:

  curl -u "sk_...:" http://127.0.0.1:9000/admin/customers
  curl -H "Authorization: Basic sk_..." http://127.0.0.1:9000/admin/customers

Customers created with a key record the key's id (apk_...) as created_by. Keys are
stored in the event store the service uses (DATA_DIR, or KurrentDB when KURRENTDB_URL
is set); run this with the same settings as the service.

  -t, --title     a name for the key, e.g. "CI" (required to create one)
      --revoke    revoke the key with this id; it stops working at once
      --list      list the keys: id, title, redacted key, created, revoked
  -h, --help      show this text

Examples:
  KEY=$(npm run --silent api-key -- --title CI)
  npm run api-key -- --list
  npm run api-key -- --revoke apk_01JD2X6Q5R7T9V1W3Y5Z7A9C1E

Exit codes: 0 done, 1 failed (an unknown key, the store unreachable), 2 wrong options,
78 wrong settings.`;

const values = parseCommandLine({ title: { type: "string", short: "t" }, revoke: { type: "string" }, list: { type: "boolean" } }, usage);
const actions = [values.title !== undefined, values.revoke !== undefined, values.list === true].filter(Boolean).length;
if (actions !== 1 || values.title === "" || values.revoke === "") exitWithUsage("Give exactly one of --title, --revoke or --list.", usage);

const settings = loadCliSettings();
const store = openEventStore(settings);
const newUlid = ulidFactory();
const keys = new ApiKeys({ store, clock: () => new Date(), newApiKeyId: () => `apk_${newUlid()}` });
const context = { actor: { id: "cli", type: "system" }, correlationId: randomUUID(), causationId: randomUUID() };
try {
  if (values.title !== undefined) {
    const { key, secret } = await keys.create(values.title, context);
    console.error(`Created API key ${key.id} ("${key.title}"). Store it now: it is not shown again.`);
    console.log(secret);
  } else if (values.revoke !== undefined) {
    await keys.revoke(values.revoke, context);
    console.log(`Revoked API key ${values.revoke}.`);
  } else {
    for (const state of await keys.list()) {
      if (state.status === "absent") continue;
      const revoked = state.status === "revoked" ? `revoked ${state.revoked_at}` : "active";
      console.log([state.key.id, JSON.stringify(state.key.title), state.key.redacted, state.key.created_at, revoked].join("\t"));
    }
  }
} catch (error) {
  console.error(error instanceof ApiKeyNotFound ? error.message : `Failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await store.close();
}
