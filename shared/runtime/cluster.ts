/**
 * Cluster mode: each role its own process over the real servers (Kafka, MongoDB, and
 * KurrentDB or a SQLite file shared on one machine). Every role can be restarted or scaled
 * on its own; they meet only in the event store, on Kafka and in MongoDB.
 */
import { adminPageBuilt } from "../http/adminPage.js";
import type { ClusterSettings, Settings } from "../config.js";
import { toMedusaBusMessages } from "../events/medusaBusMessages.js";
import { PUBLISHED_STREAM_PREFIXES } from "../events/publishedStreams.js";
import { outOfGroup, watchConsumer } from "../health/consumerHealth.js";
import { watchPublisher } from "../health/publisherHealth.js";
import { combinedHealth, healthReport } from "../health/report.js";
import { consumerGroupLag, eventStoreProbe, kafkaProbe, projectionLagProbe, readModelProbe } from "../health/dependencyProbes.js";
import { watchReadiness } from "../health/readiness.js";
import { observeConsumerGroupLag, observePublisherLags } from "../metrics/lags.js";
import { createMetrics, createProcessRegistry } from "../metrics/registry.js";
import type { ProcessLogger } from "../logging.js";
import { Publisher } from "../publisher/publisher.js";
import { ReadModelNoticePublisher, followReadModelNotices } from "../readmodel/notices.js";
import { Projector } from "../readmodel/projector.js";
import { buildApi } from "./api.js";
import { openCheckpoints, openEventStore, openKafkaBus } from "./adapters.js";
import { MongoReadSide, MongoRebuilds } from "./clusterReadSide.js";
import type { RunningService } from "./embedded.js";
import { startHealthServer } from "./health.js";
import { openKeyStore } from "./keys.js";
import { stopInOrder } from "./stopInOrder.js";
import { SealingEventStore, openSealedData } from "../eventstore/sealing.js";


export interface RunningRole {
  stop(): Promise<void>;
}

export async function startCommandRole(settings: Settings, cluster: ClusterSettings, logger: ProcessLogger): Promise<RunningService> {
  const keys = await openKeyStore(settings, logger);
  // Other command services append to the same file: a read-model rebuild run here follows
  // their appends as they commit, not only at this service's next own write.
  const store = new SealingEventStore(openEventStore(settings, { writerThread: true, watchForOtherWriters: true }), keys);
  const bus = await openKafkaBus(cluster, logger, [settings.eventsTopic, cluster.readModelNoticesTopic]);
  const readSide = await MongoReadSide.open(cluster, { cache: { maxDocuments: settings.readCacheMaxDocuments, ttlMs: cluster.readCacheTtlMs } }, logger);
  const notices = await followReadModelNotices(bus, cluster.readModelNoticesTopic, (notice) => readSide.notify(notice.document));
  // Without notices the API still answers everything, writes from their own events after
  // READ_MODEL_WAIT_MS: degraded, not unhealthy, so that load balancers keep sending writes.
  const health = () =>
    healthReport(
      [outOfGroup(notices.status(), "the consumer group that follows read-model notices", Date.now(), settings.unhealthyAfterMs)],
      { read_model_notices: notices.status().member ? "following" : "not following" },
      "degraded",
    );
  const rebuilds = new MongoRebuilds(settings, cluster, store, readSide, logger);
  const readiness = watchReadiness({
    event_store: eventStoreProbe(store),
    bus: kafkaProbe(bus, settings.eventsTopic, cluster.projectorGroupId),
    read_model: readModelProbe(() => readSide.generations.serving()),
    projection_lag: projectionLagProbe(consumerGroupLag(bus, settings.eventsTopic, cluster.projectorGroupId), settings.unhealthyAfterMs),
  });
  const metrics = settings.metricsToken === undefined ? undefined : createMetrics();
  if (metrics) observeConsumerGroupLag(metrics.registry, bus, settings.eventsTopic, cluster.projectorGroupId);
  const app = await buildApi(settings, store, readSide.readModel, logger, health, rebuilds, { keys, readiness: readiness.check, metrics });
  // The first samples were taken while the parts started; /ready answers for the started service.
  await readiness.sampleNow();
  const address = await app.listen({ port: settings.port, host: settings.host });
  if (adminPageBuilt()) logger.info({ url: `${address}/app/` }, "the admin page is served");
  return {
    app,
    stop: () =>
      stopInOrder([() => app.close(), () => readiness.stop(), () => rebuilds.stop(), () => notices.close(), () => bus.close(), () => readSide.close(), () => store.close(), () => keys.close()]),
  };
}

export async function startPublisherRole(settings: Settings, cluster: ClusterSettings, logger: ProcessLogger): Promise<RunningRole> {
  // The events go out as stored: personal fields sealed, so that no Kafka log segment holds
  // them in the clear (the projector opens them).
  const store = openEventStore(settings, { watchForOtherWriters: true });
  const topics = [
    { topic: settings.eventsTopic, encode: undefined },
    ...(settings.medusaEventsTopic ? [{ topic: settings.medusaEventsTopic, encode: toMedusaBusMessages }] : []),
  ];
  const bus = await openKafkaBus(cluster, logger, topics.map(({ topic }) => topic));
  // One publisher per topic, each with its own checkpoint: a topic added later is filled from
  // the start of the log, and one topic's trouble does not hold the other back.
  const publishers = topics.map(({ topic, encode }) => {
    const checkpoints = openCheckpoints(settings, `publisher-${topic}`);
    const publisher = new Publisher({ store, bus, checkpoints, topic, streamPrefixes: PUBLISHED_STREAM_PREFIXES, logger, ...(encode && { encode }) });
    return { topic, publisher, checkpoints };
  });
  for (const { publisher } of publishers) await publisher.start();
  const watches = settings.healthPort
    ? publishers.map(({ publisher }) => watchPublisher({ store, publisher, streamPrefixes: PUBLISHED_STREAM_PREFIXES, unhealthyAfterMs: settings.unhealthyAfterMs }))
    : [];
  const metrics = settings.healthPort && settings.metricsToken !== undefined ? { registry: createProcessRegistry(), token: settings.metricsToken } : undefined;
  if (metrics) observePublisherLags(metrics.registry, store, publishers.map(({ topic, publisher }) => ({ topic, position: () => publisher.position })));
  const health = settings.healthPort
    ? await startHealthServer(settings.healthPort, settings.host, "publisher", combinedHealth(publishers.map(({ topic }, i) => ({ topic, check: watches[i]!.check }))), metrics)
    : undefined;
  logger.info({ topics: topics.map(({ topic }) => topic) }, "publisher following the event store");
  return {
    stop: () =>
      stopInOrder([
        ...watches.map((watch) => () => watch.stop()),
        () => health?.close(),
        ...publishers.map(({ publisher }) => () => publisher.stop()),
        ...publishers.map(({ checkpoints }) => () => checkpoints.close()),
        () => bus.close(),
        () => store.close(),
      ]),
  };
}

export async function startProjectorRole(settings: Settings, cluster: ClusterSettings, logger: ProcessLogger): Promise<RunningRole> {
  const bus = await openKafkaBus(cluster, logger, [settings.eventsTopic, cluster.readModelNoticesTopic]);
  const readSide = await MongoReadSide.open(cluster, {}, logger);
  const keys = await openKeyStore(settings, logger);
  const projector = new Projector({
    bus,
    readModel: readSide.readModel,
    openData: (type, data) => openSealedData(keys, type, data),
    topic: settings.eventsTopic,
    groupId: cluster.projectorGroupId,
    logger,
    notices: new ReadModelNoticePublisher(bus, cluster.readModelNoticesTopic, logger),
  });
  await projector.start();
  const watch = settings.healthPort
    ? watchConsumer({
        bus,
        topic: settings.eventsTopic,
        groupId: cluster.projectorGroupId,
        subscription: () => projector.subscription,
        handlerFailure: () => projector.failure,
        unhealthyAfterMs: settings.unhealthyAfterMs,
      })
    : undefined;
  const metrics = watch && settings.metricsToken !== undefined ? { registry: createProcessRegistry(), token: settings.metricsToken } : undefined;
  if (metrics) observeConsumerGroupLag(metrics.registry, bus, settings.eventsTopic, cluster.projectorGroupId);
  const health = watch ? await startHealthServer(settings.healthPort, settings.host, "projector", watch.check, metrics) : undefined;
  logger.info({ topic: settings.eventsTopic, group: cluster.projectorGroupId }, "projector consuming");
  return {
    stop: () => stopInOrder([() => watch?.stop(), () => health?.close(), () => projector.stop(), () => bus.close(), () => readSide.close(), () => keys.close()]),
  };
}
