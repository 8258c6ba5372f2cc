/**
 * `npm run cluster`: a whole local cluster in one terminal. Starts (or finds) Kafka and
 * FerretDB with scripts/servers/, then the command services, the publisher and the
 * projectors from dist/ with one set of settings; shows their logs with their names;
 * stops them all, in order, on Ctrl-C or when one of them dies. See cluster/options.ts.
 */
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { silentLogger } from "../../shared/logger.js";
import { exitWithUsage } from "../../shared/runtime/cli.js";
import { localMasterKey } from "../../shared/runtime/keys.js";
import { prefixFor } from "./cluster/logLines.js";
import { type ClusterOptions, UsageError, parseClusterOptions, usage } from "./cluster/options.js";
import { type RolePlan, localServers, planCluster } from "./cluster/plan.js";
import { type LocalServer, type ServerName, ensureServer, serverPort, stopServer } from "./cluster/servers.js";
import { readySummary } from "./cluster/summary.js";
import { type Exit, SupervisedRole } from "./cluster/supervisedRole.js";

/** How long a role may take to answer its health check at start (a first Kafka topic creation is slow). */
const START_TIMEOUT_MS = 120_000;
/** How long a role may take to finish its work after SIGTERM before it is killed. */
const STOP_GRACE_MS = 15_000;

let options: ClusterOptions;
try {
  const parsed = parseClusterOptions(process.argv.slice(2));
  if (parsed === "help") {
    console.log(usage);
    process.exit(0);
  }
  options = parsed;
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  exitWithUsage(error.message, usage);
}

const env = process.env;
const color = process.stdout.isTTY === true;
const dataDir = resolve(options.dataDir);
const logDir = join(dataDir, "logs");
const postgresUrl = env.POSTGRES_URL || undefined;
const local = localServers(env);
const kafkaBrokers = env.KAFKA_BROKERS || local.kafkaBrokers;
const mongodbUrl = env.MONGODB_URL || local.mongodbUrl;

const servers: LocalServer[] = [];
/**
 * The server being started, if any. Its script runs on its own (a Ctrl-C must not kill it
 * half-way), so a stop asked for meanwhile waits for it and then stops it like the others.
 */
let starting: Promise<unknown> | undefined;
const roles: SupervisedRole[] = [];
let shuttingDown: Promise<never> | undefined;

// A terminal closed under it: the roles are still stopped, with nobody to read about it.
let outputGone = false;
process.stdout.on("error", () => (outputGone = true));
const write = (lines: string[]) => {
  if (lines.length > 0 && !outputGone) process.stdout.write(`${lines.join("\n")}\n`);
};
// One width for every name, known from the options alone (the servers' lines come first).
const ownPrefix = prefixFor("cluster", Math.max(`projector-${options.projectors}`.length, `command-${options.commands}`.length, "publisher".length), undefined);
const width = ownPrefix.indexOf(" |");
const say = (line: string) => write([ownPrefix + line]);
const red = (text: string) => (color ? `\u001b[31m${text}\u001b[0m` : text);

process.on("SIGINT", () => signalled("SIGINT"));
process.on("SIGTERM", () => signalled("SIGTERM"));
// The terminal closed: stop as on Ctrl-C rather than die and leave the roles (their own process groups) running.
process.on("SIGHUP", () => signalled("SIGHUP"));

/**
 * Under `npm run`, one Ctrl-C comes twice: from the terminal, and forwarded by npm. Only a
 * signal this long after the first counts as the second Ctrl-C that kills.
 */
const REPEAT_AFTER_MS = 1000;
let firstSignalAt = 0;

function signalled(signal: NodeJS.Signals): void {
  if (shuttingDown && Date.now() - firstSignalAt < REPEAT_AFTER_MS) return;
  if (shuttingDown) {
    say(`${signal} again: killing the roles now`);
    for (const role of roles) role.kill();
    return;
  }
  firstSignalAt = Date.now();
  void shutdown(0, `${signal}: stopping the roles (again to kill them at once)`);
}

/** Stops the roles (command services, then the publisher, then the projectors), then the servers started here; exits. */
function shutdown(code: number, reason: string): Promise<never> {
  shuttingDown ??= (async () => {
    say(reason);
    for (const role of ["command", "publisher", "projector"] as const) {
      const group = roles.filter((running) => running.plan.role === role && running.running);
      await Promise.all(
        group.map(async (running) => {
          const exit = await running.stop(STOP_GRACE_MS);
          say(`${running.plan.name} (PID ${running.pid}) stopped: ${describe(exit)}`);
        }),
      );
    }
    if (starting) {
      say("waiting for the server being started, to stop it");
      await starting.catch(() => undefined);
    }
    for (const server of servers.filter((server) => server.startedHere).reverse()) {
      if (options.keepServers) say(`${server.name} left running (--keep-servers); stop it with scripts/servers/${server.name}.sh stop`);
      else await stopServer(server, say);
    }
    say(code === 0 ? "stopped" : red("stopped after a failure"));
    process.exit(code);
  })();
  return shuttingDown;
}

function describe({ code, signal }: Exit): string {
  return signal ? `killed by ${signal}` : `exit ${code}`;
}

/** A role that exits while nobody stopped it ends the cluster, with its last lines. */
function watch(role: SupervisedRole): void {
  void role.exited.then((exit) => {
    if (role.stopping || shuttingDown) return;
    write([red(`${role.plan.name} (PID ${role.pid}) exited on its own (${describe(exit)}); its last lines:`), ...(role.last.lines.length > 0 ? role.last.lines : ["(none: it wrote nothing)"])]);
    void shutdown(1, `stopping the others because ${role.plan.name} died`);
  });
}

async function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once("error", () => resolvePort(false));
    server.listen(port, host, () => server.close(() => resolvePort(true)));
  });
}

async function start(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  // The project's own servers, unless the environment names others.
  const wanted: ServerName[] = [];
  if (kafkaBrokers === local.kafkaBrokers) wanted.push("kafka");
  if (mongodbUrl.replace(/\/$/, "") === local.mongodbUrl) wanted.push("ferretdb");
  if (postgresUrl && new RegExp(`@(127\\.0\\.0\\.1|localhost):${serverPort("postgres", env)}/`).test(postgresUrl)) wanted.push("postgres");
  for (const name of wanted) {
    starting = ensureServer(name, env, say).then((server) => {
      servers.push(server);
    });
    await starting;
    starting = undefined;
    if (shuttingDown) return;
  }

  // With PostgreSQL every role must be given the master key (config.ts insists): this
  // cluster's is kept in DATA_DIR, as the roles keep it without one.
  const encryptionKey = postgresUrl && !env.ENCRYPTION_KEY ? localMasterKey(dataDir, silentLogger).toString("hex") : undefined;
  const plans = planCluster(options, { dataDir, kafkaBrokers, mongodbUrl, encryptionKey }, env);
  const host = env.HOST || "127.0.0.1";
  for (const plan of plans) {
    if (!(await portFree(plan.port, host))) throw new Error(`port ${plan.port} (${plan.name}) is in use on ${host}; choose other ports with --port`);
  }

  // The command services first (the first one makes the event store's tables), then the publisher, then the projectors.
  for (const role of ["command", "publisher", "projector"] as const) {
    const group = plans
      .map((plan, index) => ({ plan, index }))
      .filter(({ plan }) => plan.role === role)
      .map(({ plan, index }) => new SupervisedRole(plan, prefixFor(plan.name, width, color ? index : undefined), logDir, write));
    roles.push(...group);
    for (const running of group) {
      say(`${running.plan.name} started (PID ${running.pid}, ${running.plan.role === "command" ? "port" : "health port"} ${running.plan.port})`);
      watch(running);
    }
    await Promise.all(group.map((running) => running.healthy(START_TIMEOUT_MS)));
    if (shuttingDown) return;
  }
  write(
    readySummary(plans satisfies RolePlan[], {
      dataDir,
      logDir,
      postgresUrl,
      encryptionKeyInEnvironment: Boolean(env.ENCRYPTION_KEY),
      jwtSecretIsDefault: !env.JWT_SECRET,
    }).map((line) => ownPrefix + line),
  );
}

try {
  await start();
} catch (error) {
  // A role that died while starting has been reported by its watch already.
  if (!shuttingDown) {
    say(red(`could not start the cluster: ${(error as Error).message}`));
    void shutdown(1, "stopping what was started");
  }
}
