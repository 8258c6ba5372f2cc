/**
 * `npm run token`: prints an admin token signed with JWT_SECRET, for calling the API
 * with curl or the js-sdk before login routes exist.
 */
import { parseArgs } from "node:util";
import { newUserId, signAdminToken } from "../../shared/auth/adminToken.js";
import { ConfigurationError, loadSettings } from "../../shared/config.js";

const usage = `Usage: npm run token -- [--actor-id user_...] [--expires-in SECONDS]

Prints an admin token (a JWT like the ones Medusa issues) signed with JWT_SECRET
from the environment (or the development default when it is not set).

  --actor-id     the admin user id the token speaks for; recorded as created_by
                 (default: a new random user_... id)
  --expires-in   lifetime in seconds (default: 86400, one day, as in Medusa)
  --help         show this text`;

try {
  const { values } = parseArgs({
    options: {
      "actor-id": { type: "string" },
      "expires-in": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const expiresIn = Number(values["expires-in"] ?? 86_400);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0) throw new ConfigurationError("--expires-in must be a positive whole number of seconds");
  const settings = loadSettings();
  if (settings.jwtSecretIsDefault) console.error("Note: JWT_SECRET is not set; signing with the development default.");
  console.log(signAdminToken({ secret: settings.jwtSecret, actorId: values["actor-id"] ?? newUserId(), now: new Date(), expiresInSeconds: expiresIn }));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
