/**
 * `npm run cluster`'s command line: what it starts and where. Pure, so that every mistake
 * is a message with the usage text (exit 2), tested without starting anything.
 */
import { parseArgs } from "node:util";

export interface ClusterOptions {
  commands: number;
  projectors: number;
  /** The first command service's port; the others, then the health ports, follow it. */
  port: number;
  /** Shared by every role: the SQLite event store, the data keys, the master key, the logs. */
  dataDir: string;
  /** Leave the servers this run started running when it stops. */
  keepServers: boolean;
}

export const DEFAULT_DATA_DIR = ".cache/cluster";

export const usage = `Usage: npm run cluster -- [--commands N] [--projectors N] [--port P] [--data-dir DIR] [--keep-servers]

Starts a whole local cluster in one terminal: Apache Kafka and FerretDB (the MongoDB-wire
server) with scripts/servers/*.sh, or the ones already running there, then the publisher,
the projectors and the command services as separate processes from the build (built
first when it is out of date), all with one set of settings. Every role's log lines are
shown with its name in front (command-1 | ...) and kept in DATA_DIR/logs/. Once every
role answers its health check it prints the URLs and how to get a token.

Ctrl-C (or SIGTERM) stops the command services, then the publisher, then the
projectors (SIGTERM, then SIGKILL after 15 s; a second Ctrl-C kills them at once), then
the servers it started itself; servers that were running before are left alone. When a role exits on its own, its last lines are
shown, the rest is stopped and the exit status is 1.

  --commands N     command services (the HTTP API) to run (default 1)
  --projectors N   projectors to run (default 1; at most KAFKA_TOPIC_PARTITIONS, 3 by
                   default, consume at once)
  --port P         the first command service's port (default 9000); the others take
                   the next ones, then the publisher's and the projectors' health ports
  --data-dir DIR   the directory every role shares: the SQLite event store, the data
                   keys and master key, the logs (default ${DEFAULT_DATA_DIR})
  --keep-servers   leave Kafka and FerretDB (and PostgreSQL) running on exit, also
                   when this run started them
  -h, --help       show this text

Environment: the roles' settings (README, "Configuration") are passed to every role,
except PORT and HEALTH_PORT, which the ports above replace. KAFKA_BROKERS and
MONGODB_URL default to the local servers (127.0.0.1:9092, mongodb://127.0.0.1:27017, or
the ports KAFKA_PORT and FERRETDB_PORT name, as scripts/servers/ does); set to other
servers, those are used and nothing is started for them.
POSTGRES_URL keeps the events in PostgreSQL instead (scripts/servers/postgres.sh is
started too; without ENCRYPTION_KEY the master key in DATA_DIR is given to every role).

Examples:
  npm run cluster
  npm run cluster -- --commands 2 --projectors 2
  POSTGRES_URL=postgres://postgres@127.0.0.1:55432/customers npm run cluster -- --data-dir .cache/cluster-pg

Exit codes: 0 stopped on request, 1 a role or a server failed, 2 wrong options.`;

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The options, "help" when the usage was asked for; a UsageError says what is wrong. */
export function parseClusterOptions(argv: string[]): ClusterOptions | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        commands: { type: "string" },
        projectors: { type: "string" },
        port: { type: "string" },
        "data-dir": { type: "string" },
        "keep-servers": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  const commands = count(values.commands, "--commands", 1, { min: 1, max: MOST_PROCESSES });
  const projectors = count(values.projectors, "--projectors", 1, { min: 1, max: MOST_PROCESSES });
  const port = count(values.port, "--port", 9000, { min: 1, max: 65535 });
  // Every port of the block must be a port: commands, then the publisher's and projectors' health.
  if (port + commands + projectors > 65535) throw new UsageError(`--port ${port} leaves too few ports for ${commands + projectors + 1} processes (up to 65535).`);
  const dataDir = values["data-dir"] === undefined ? DEFAULT_DATA_DIR : String(values["data-dir"]);
  if (dataDir.trim() === "") throw new UsageError("--data-dir must name a directory.");
  return { commands, projectors, port, dataDir, keepServers: values["keep-servers"] === true };
}

/** More processes of one role than a laptop runs usefully: a typo, most likely. */
const MOST_PROCESSES = 32;

function count(value: string | boolean | undefined, name: string, fallback: number, { min, max }: { min: number; max: number }): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || number < min || number > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max} (got "${String(value)}").`);
  }
  return number;
}
