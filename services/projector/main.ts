/**
 * The projector: consumes customer events from Kafka and keeps the MongoDB read model.
 * It runs on its own only in cluster mode; with the embedded defaults `npm start` runs it
 * inside the command service.
 */
import { ConfigurationError } from "../../shared/config.js";
import { variablesHelp } from "../../shared/configVariables.js";
import { parseCommandLine } from "../../shared/runtime/cli.js";

const usage = `Usage: npm run start:projector
       node dist/services/projector/main.js   (the same, built)

The projector role of a cluster: consumes the customer events from Kafka (EVENTS_TOPIC,
in the consumer group PROJECTOR_GROUP_ID) and keeps the read model in MongoDB that the
command services answer from, announcing each document it stores on
READ_MODEL_NOTICES_TOPIC. Run as many as the topic has partitions; they share the work.
It needs KAFKA_BROKERS and MONGODB_URL; without them \`npm start\` runs it inside the
command service instead. SIGTERM or Ctrl-C stop it once its batch is stored.

  -h, --help   show this text

${variablesHelp("projector")}

Example:
  KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URL=mongodb://127.0.0.1:27017 HEALTH_PORT=9102 \\
    npm run start:projector

Exit codes: 0 stopped by a signal, 1 could not start, 78 wrong settings.`;

parseCommandLine({}, usage);

// The role's modules load once the command line is read, so that --help answers at once.
const { startProjectorRole } = await import("../../shared/runtime/cluster.js");
const { startRole } = await import("../../shared/runtime/startRole.js");

await startRole("projector", (settings, logger) => {
  if (!settings.cluster) {
    throw new ConfigurationError(
      "the projector runs as its own process only with KAFKA_BROKERS and MONGODB_URL set; with the embedded defaults, `npm start` runs it inside the command service.",
    );
  }
  return startProjectorRole(settings, settings.cluster, logger);
});
