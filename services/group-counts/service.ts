/**
 * The group-counts subscriber itself: follows the events topic in its own consumer group,
 * keeps each group's member count in its own MongoDB database, and answers GET /group-counts
 * and GET /health. main.ts reads its settings and starts it.
 */
import Fastify from "fastify";
import type { ClusterSettings, Settings } from "../../shared/config.js";
import type { ProcessLogger } from "../../shared/logging.js";
import { connectMongo } from "../../shared/mongodb/connect.js";
import { openKafkaBus } from "../../shared/runtime/adapters.js";
import { MongoProcessedEvents } from "../../shared/subscriber/mongoProcessedEvents.js";
import { deadLetterTopicOf, startSubscriber } from "../../shared/subscriber/subscriber.js";
import { groupCountHandlers } from "./handlers.js";
import { GroupCountsStore } from "./store.js";

export interface GroupCountsSettings {
  /** Its Kafka consumer group (GROUP_COUNTS_GROUP_ID). */
  groupId: string;
  /** Its MongoDB database (GROUP_COUNTS_DATABASE). */
  database: string;
}

export async function startGroupCounts(settings: Settings, cluster: ClusterSettings, own: GroupCountsSettings, logger: ProcessLogger): Promise<{ stop(): Promise<void> }> {
  const { groupId } = own;
  const deadLetterTopic = deadLetterTopicOf(settings.eventsTopic, groupId);
  const mongo = await connectMongo(cluster.mongodbUrl, cluster.mongodbTimeoutMs);
  const database = mongo.db(own.database);
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
}
