/**
 * The command service: the HTTP API. With KAFKA_BROKERS and MONGODB_URL it is one role of
 * the cluster; with neither it also runs the publisher and the projector in this process,
 * over the embedded defaults (`npm start`).
 */
import { startCommandRole } from "../../shared/runtime/cluster.js";
import { startEmbedded } from "../../shared/runtime/embedded.js";
import { startRole } from "../../shared/runtime/startRole.js";

await startRole("command", (settings, logger) =>
  settings.cluster ? startCommandRole(settings, settings.cluster, logger) : startEmbedded(settings, logger),
);
