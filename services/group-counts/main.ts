/**
 * An example subscriber built on the subscriber kit (shared/subscriber): it consumes the events
 * topic with its own consumer group, keeps how many customers each group has in its own
 * MongoDB database, and answers GET /group-counts (service.ts). Run it beside the cluster
 * roles (KAFKA_BROKERS and MONGODB_URL set):
 *
 *   PORT=9400 npm run start:group-counts
 *   curl http://127.0.0.1:9400/group-counts
 *
 * Events it cannot handle go to the dead-letter topic `<EVENTS_TOPIC>.dead-letter.<group id>`.
 */
import { ConfigurationError } from "../../shared/config.js";
import { variablesHelp } from "../../shared/configVariables.js";
import { parseCommandLine } from "../../shared/runtime/cli.js";

const DEFAULT_GROUP_ID = "group-counts";
const DEFAULT_DATABASE = "group_counts";

const usage = `Usage: npm run start:group-counts
       node dist/services/group-counts/main.js   (the same, built)

An example subscriber of the customer events, built on the subscriber kit: consumes
EVENTS_TOPIC from Kafka in a consumer group of its own, keeps how many customers each
customer group has in a MongoDB database of its own, and answers GET /group-counts and
GET /health on HOST:PORT. Events it cannot handle go to the dead-letter topic
<EVENTS_TOPIC>.dead-letter.<its group id>. It needs KAFKA_BROKERS and MONGODB_URL: run
it beside a cluster. SIGTERM or Ctrl-C stop it.

  -h, --help   show this text

${variablesHelp("group-counts", {
  title: "Its own",
  variables: [
    { name: "GROUP_COUNTS_GROUP_ID", meaning: "its Kafka consumer group", fallback: DEFAULT_GROUP_ID },
    { name: "GROUP_COUNTS_DATABASE", meaning: "its MongoDB database", fallback: DEFAULT_DATABASE },
  ],
})}

Example:
  KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URL=mongodb://127.0.0.1:27017 PORT=9400 \\
    npm run start:group-counts
  curl http://127.0.0.1:9400/group-counts

Exit codes: 0 stopped by a signal, 1 could not start, 78 wrong settings.`;

parseCommandLine({}, usage);
const own = {
  groupId: process.env.GROUP_COUNTS_GROUP_ID || DEFAULT_GROUP_ID,
  database: process.env.GROUP_COUNTS_DATABASE || DEFAULT_DATABASE,
};

// The subscriber's modules load once the command line is read, so that --help answers at once.
const { startGroupCounts } = await import("./service.js");
const { startRole } = await import("../../shared/runtime/startRole.js");

await startRole("group-counts", (settings, logger) => {
  const cluster = settings.cluster;
  if (!cluster) throw new ConfigurationError("the group-counts example consumes Kafka and keeps its counts in MongoDB: set KAFKA_BROKERS and MONGODB_URL.");
  return startGroupCounts(settings, cluster, own, logger);
});
