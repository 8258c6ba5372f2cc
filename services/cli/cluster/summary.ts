/**
 * What `npm run cluster` prints once every role is healthy: where the API, the admin page
 * and the health checks are, and how to get a token against this cluster. Pure.
 */
import type { RolePlan } from "./plan.js";

export interface SummaryContext {
  dataDir: string;
  logDir: string;
  /** Set when the events are in PostgreSQL: `npm run user` must write there too. */
  postgresUrl?: string;
  /** The environment's own ENCRYPTION_KEY is set (then `npm run user` finds it there). */
  encryptionKeyInEnvironment: boolean;
  jwtSecretIsDefault: boolean;
}

export const READY_LINE = "Cluster ready:";

export function readySummary(plans: RolePlan[], context: SummaryContext): string[] {
  const commands = plans.filter((plan) => plan.role === "command");
  const projectors = plans.filter((plan) => plan.role === "projector");
  const api = commands[0]!.healthUrl.replace(/\/health$/, "");
  const userEnv = [`DATA_DIR=${quote(context.dataDir)}`];
  if (context.postgresUrl) {
    userEnv.push(`POSTGRES_URL=${quote(context.postgresUrl)}`);
    if (!context.encryptionKeyInEnvironment) userEnv.push(`ENCRYPTION_KEY=$(cat ${quote(`${context.dataDir}/master.key`)})`);
  }
  const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? "" : "s"}`;
  return [
    `${READY_LINE} ${plural(commands.length, "command service")}, the publisher, ${plural(projectors.length, "projector")}${context.postgresUrl ? ", events in PostgreSQL" : ""}.`,
    `  API         ${commands.map((plan) => plan.healthUrl.replace(/\/health$/, "")).join("  ")}`,
    `  admin page  ${api}/app`,
    ...plans.map((plan, i) => `  ${i === 0 ? "health    " : "          "}  ${plan.healthUrl}  ${plan.name}`),
    `  data        ${context.dataDir} (logs in ${context.logDir})`,
    `  An admin user and a token (in another terminal):`,
    `    ${userEnv.join(" ")} npm run --silent user -- -e admin@example.com -p 'a long password'`,
    `    curl -s ${api}/auth/user/emailpass -H 'Content-Type: application/json' -d '{"email":"admin@example.com","password":"a long password"}'`,
    `  or a token without a user: ${context.jwtSecretIsDefault ? "" : "(with the same JWT_SECRET) "}npm run --silent token`,
    `Stop with Ctrl-C.`,
  ];
}

/** Single-quoted for a POSIX shell when it holds anything but safe characters. */
function quote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
