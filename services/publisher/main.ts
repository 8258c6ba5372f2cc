/**
 * The publisher: follows the event store and publishes customer events to Kafka.
 * It runs on its own only in cluster mode; with the embedded defaults `npm start` runs it
 * inside the command service.
 */
import { ConfigurationError } from "../../shared/config.js";
import { variablesHelp } from "../../shared/configVariables.js";
import { parseCommandLine } from "../../shared/runtime/cli.js";

const usage = `Usage: npm run start:publisher
       node dist/services/publisher/main.js   (the same, built)

The publisher role of a cluster: follows the event store's log and publishes every
customer and customer-group event to Kafka, on EVENTS_TOPIC and, under Medusa's event
names, on MEDUSA_EVENTS_TOPIC, keeping a checkpoint for each beside the events so that a
restart goes on where it stopped. Run one. It needs KAFKA_BROKERS and MONGODB_URL; without
them \`npm start\` runs it inside the command service instead. SIGTERM or Ctrl-C stop it
once its batch is published.

  -h, --help   show this text

${variablesHelp("publisher")}

Example:
  KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URL=mongodb://127.0.0.1:27017 HEALTH_PORT=9101 \\
    npm run start:publisher

Exit codes: 0 stopped by a signal, 1 could not start, 78 wrong settings.`;

parseCommandLine({}, usage);

// The role's modules load once the command line is read, so that --help answers at once.
const { startPublisherRole } = await import("../../shared/runtime/cluster.js");
const { startRole } = await import("../../shared/runtime/startRole.js");

await startRole("publisher", (settings, logger) => {
  if (!settings.cluster) {
    throw new ConfigurationError(
      "the publisher runs as its own process only with KAFKA_BROKERS and MONGODB_URL set; with the embedded defaults, `npm start` runs it inside the command service.",
    );
  }
  return startPublisherRole(settings, settings.cluster, logger);
});
