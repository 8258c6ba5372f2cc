/**
 * The publisher: follows the event store and publishes customer events to Kafka.
 * It runs on its own only in cluster mode; with the embedded defaults `npm start` runs it
 * inside the command service.
 */
import { ConfigurationError } from "../../shared/config.js";
import { startPublisherRole } from "../../shared/runtime/cluster.js";
import { startRole } from "../../shared/runtime/startRole.js";

await startRole("publisher", (settings, logger) => {
  if (!settings.cluster) {
    throw new ConfigurationError(
      "the publisher runs as its own process only with KAFKA_BROKERS and MONGODB_URL set; with the embedded defaults, `npm start` runs it inside the command service.",
    );
  }
  return startPublisherRole(settings, settings.cluster, logger);
});
