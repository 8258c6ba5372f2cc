/**
 * Cluster mode: each role its own process over the real servers (Kafka, MongoDB, and
 * KurrentDB or a SQLite file shared on one machine). Every role can be restarted or scaled
 * on its own; they meet only in the event store, on Kafka and in MongoDB.
 */
import type { ClusterSettings, Settings } from "../config.js";
import { PUBLISHED_STREAM_PREFIXES } from "../events/publishedStreams.js";
import type { ProcessLogger } from "../logging.js";
import { Publisher } from "../publisher/publisher.js";
import { ReadModelNoticePublisher, followReadModelNotices } from "../readmodel/notices.js";
import { PROJECTOR_GROUP, Projector } from "../readmodel/projector.js";
import { buildApi } from "./api.js";
import { openCheckpoints, openEventStore, openKafkaBus, openMongoReadModel } from "./adapters.js";
import type { RunningService } from "./embedded.js";
import { startHealthServer } from "./health.js";


export interface RunningRole {
  stop(): Promise<void>;
}

export async function startCommandRole(settings: Settings, cluster: ClusterSettings, logger: ProcessLogger): Promise<RunningService> {
  const store = openEventStore(settings);
  const bus = await openKafkaBus(cluster, logger, [settings.eventsTopic, cluster.readModelNoticesTopic]);
  const readModel = await openMongoReadModel(cluster, { maxDocuments: cluster.readCacheMaxDocuments, ttlMs: cluster.readCacheTtlMs });
  const notices = await followReadModelNotices(bus, cluster.readModelNoticesTopic, (notice) => readModel.notify(notice.document));
  const app = await buildApi(settings, store, readModel, logger);
  await app.listen({ port: settings.port, host: settings.host });
  return {
    app,
    async stop() {
      await app.close();
      await notices.close();
      await bus.close();
      await readModel.close();
      await store.close();
    },
  };
}

export async function startPublisherRole(settings: Settings, cluster: ClusterSettings, logger: ProcessLogger): Promise<RunningRole> {
  const store = openEventStore(settings, { watchForOtherWriters: true });
  const bus = await openKafkaBus(cluster, logger, [settings.eventsTopic]);
  const publisher = new Publisher({
    store,
    bus,
    checkpoints: openCheckpoints(settings, `publisher-${settings.eventsTopic}`),
    topic: settings.eventsTopic,
    streamPrefixes: PUBLISHED_STREAM_PREFIXES,
    logger,
  });
  await publisher.start();
  const health = settings.healthPort ? await startHealthServer(settings.healthPort, settings.host, "publisher") : undefined;
  logger.info({ topic: settings.eventsTopic }, "publisher following the event store");
  return {
    async stop() {
      await health?.close();
      await publisher.stop();
      await bus.close();
      await store.close();
    },
  };
}

export async function startProjectorRole(settings: Settings, cluster: ClusterSettings, logger: ProcessLogger): Promise<RunningRole> {
  const bus = await openKafkaBus(cluster, logger, [settings.eventsTopic, cluster.readModelNoticesTopic]);
  const readModel = await openMongoReadModel(cluster);
  const projector = new Projector({
    bus,
    readModel,
    topic: settings.eventsTopic,
    groupId: PROJECTOR_GROUP,
    logger,
    notices: new ReadModelNoticePublisher(bus, cluster.readModelNoticesTopic, logger),
  });
  await projector.start();
  const health = settings.healthPort ? await startHealthServer(settings.healthPort, settings.host, "projector") : undefined;
  logger.info({ topic: settings.eventsTopic, group: PROJECTOR_GROUP }, "projector consuming");
  return {
    async stop() {
      await health?.close();
      await projector.stop();
      await bus.close();
      await readModel.close();
    },
  };
}
