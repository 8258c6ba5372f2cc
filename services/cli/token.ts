/**
 * `npm run token`: prints an admin token signed with JWT_SECRET, for calling the API with
 * curl or the js-sdk without logging in (`npm run user` and POST /auth/user/emailpass are
 * the way with a password).
 */
import { newUserId, signAdminToken } from "../../shared/auth/adminToken.js";
import { exitWithUsage, loadCliSettings, parseCommandLine } from "../../shared/runtime/cli.js";

const usage = `Usage: npm run token -- [--actor-id user_...] [--expires-in SECONDS]

Prints an admin token (a JWT like the ones Medusa issues) signed with JWT_SECRET
from the environment (or the development default when it is not set).

  --actor-id     the admin user id the token speaks for; recorded as created_by
                 (default: a new random user_... id)
  --expires-in   lifetime in seconds (default: 86400, one day, as in Medusa)
  -h, --help     show this text

Examples:
  TOKEN=$(npm run --silent token)
  curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:9000/admin/customers
  npm run --silent token -- --actor-id user_01ADMIN --expires-in 3600

Exit codes: 0 printed, 2 wrong options, 78 wrong settings.`;

const values = parseCommandLine({ "actor-id": { type: "string" }, "expires-in": { type: "string" } }, usage);
const expiresIn = Number(values["expires-in"] ?? 86_400);
if (!Number.isInteger(expiresIn) || expiresIn <= 0) exitWithUsage("--expires-in must be a positive whole number of seconds", usage);
const settings = loadCliSettings();
if (settings.jwtSecretIsDefault) console.error("Note: JWT_SECRET is not set; signing with the development default.");
console.log(signAdminToken({ secret: settings.jwtSecret, actorId: values["actor-id"] ?? newUserId(), now: new Date(), expiresInSeconds: expiresIn }));
