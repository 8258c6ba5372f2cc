/**
 * The projector: consumes customer events from Kafka and keeps the MongoDB read model.
 * It runs on its own only in cluster mode; with the embedded defaults `npm start` runs it
 * inside the command service.
 */
import { ConfigurationError } from "../../shared/config.js";
import { startProjectorRole } from "../../shared/runtime/cluster.js";
import { startRole } from "../../shared/runtime/startRole.js";

await startRole("projector", (settings, logger) => {
  if (!settings.cluster) {
    throw new ConfigurationError(
      "the projector runs as its own process only with KAFKA_BROKERS and MONGODB_URL set; with the embedded defaults, `npm start` runs it inside the command service.",
    );
  }
  return startProjectorRole(settings, settings.cluster, logger);
});
