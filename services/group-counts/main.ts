/**
 * An example subscriber built on the subscriber kit (shared/subscriber): it consumes the events
 * topic with its own consumer group, keeps how many customers each group has in its own
 * MongoDB database, and answers GET /group-counts. Run it beside the cluster roles
 * (KAFKA_BROKERS and MONGODB_URL set):
 *
 *   PORT=9400 npm run start:group-counts
 *   curl http://127.0.0.1:9400/group-counts
 *
 * GROUP_COUNTS_DATABASE (default group_counts) names its database, GROUP_COUNTS_GROUP_ID
 * (default group-counts) its consumer group. Events it cannot handle go to the dead-letter
 * topic `<EVENTS_TOPIC>.dead-letter.<group id>`.
 */
import Fastify from "fastify";
import { ConfigurationError } from "../../shared/config.js";
import { connectMongo } from "../../shared/mongodb/connect.js";
import { openKafkaBus } from "../../shared/runtime/adapters.js";
import { startRole } from "../../shared/runtime/startRole.js";
import { MongoProcessedEvents } from "../../shared/subscriber/mongoProcessedEvents.js";
import { deadLetterTopicOf, startSubscriber } from "../../shared/subscriber/subscriber.js";
import { groupCountHandlers } from "./handlers.js";
import { GroupCountsStore } from "./store.js";

await startRole("group-counts", async (settings, logger) => {
  const cluster = settings.cluster;
  if (!cluster) throw new ConfigurationError("the group-counts example consumes Kafka and keeps its counts in MongoDB: set KAFKA_BROKERS and MONGODB_URL.");
  const groupId = process.env.GROUP_COUNTS_GROUP_ID || "group-counts";
  const deadLetterTopic = deadLetterTopicOf(settings.eventsTopic, groupId);
  const mongo = await connectMongo(cluster.mongodbUrl, cluster.mongodbTimeoutMs);
  const database = mongo.db(process.env.GROUP_COUNTS_DATABASE || "group_counts");
  const store = new GroupCountsStore(database);
  const bus = await openKafkaBus(cluster, logger, [settings.eventsTopic, deadLetterTopic]);
  const processed = new MongoProcessedEvents(database);
  const subscription = await startSubscriber({
    bus,
    topic: settings.eventsTopic,
    groupId,
    deadLetterTopic,
    handlers: groupCountHandlers(store),
    processed,
    logger,
  });

  const http = Fastify({ loggerInstance: logger });
  http.get("/group-counts", async () => ({ groups: await store.counts() }));
  http.get("/health", async (_request, reply) => {
    const status = subscription.status();
    if (!status.member) reply.code(503);
    return status.member ? { status: "ok" } : { status: "unhealthy", reasons: [`not consuming: ${status.lastError ?? "joining its group"}`] };
  });
  await http.listen({ host: settings.host, port: settings.port });
  logger.info({ topic: settings.eventsTopic, groupId, port: settings.port }, "group counts following the events topic");
  return {
    async stop() {
      await http.close();
      await subscription.close();
      await processed.close();
      await bus.close();
      await mongo.close();
    },
  };
});
