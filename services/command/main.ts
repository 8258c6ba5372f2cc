/**
 * The command service: the HTTP API. With KAFKA_BROKERS and MONGODB_URL it is one role of
 * the cluster; with neither it also runs the publisher and the projector in this process,
 * over the embedded defaults (`npm start`).
 */
import { variablesHelp } from "../../shared/configVariables.js";
import { parseCommandLine } from "../../shared/runtime/cli.js";

const usage = `Usage: npm start
       npm run start:command               (the same, one role of a cluster)
       node dist/services/command/main.js  (the same, built)

Runs the customers service's HTTP API (Medusa v2's Admin Customers API, the admin page
at /app, GET /health) on HOST:PORT, until SIGTERM or Ctrl-C, which let the requests in
flight finish.

Without KAFKA_BROKERS and MONGODB_URL it runs embedded: the publisher and the projector
run in this process too, the events, the read model and the sessions are SQLite files in
DATA_DIR, and nothing else needs to be installed. With both set it is the command role of
a cluster: run \`npm run start:publisher\` and \`npm run start:projector\` beside it (or all
of them with \`npm run cluster\`). KURRENTDB_URL or POSTGRES_URL keep the events in
KurrentDB or PostgreSQL instead of DATA_DIR, in either mode.

  -h, --help   show this text

${variablesHelp("command")}

Examples:
  npm start
  PORT=9001 DATA_DIR=/tmp/customers npm start
  KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URL=mongodb://127.0.0.1:27017 npm run start:command

Exit codes: 0 stopped by a signal, 1 could not start, 78 wrong settings.`;

parseCommandLine({}, usage);

// The service's modules load once the command line is read, so that --help answers at once.
const { startCommandRole } = await import("../../shared/runtime/cluster.js");
const { startEmbedded } = await import("../../shared/runtime/embedded.js");
const { startRole } = await import("../../shared/runtime/startRole.js");

await startRole("command", (settings, logger) =>
  settings.cluster ? startCommandRole(settings, settings.cluster, logger) : startEmbedded(settings, logger),
);
