/**
 * Embedded mode: every role in one process, nothing else installed. The event store is a
 * SQLite file under DATA_DIR (or KurrentDB, when KURRENTDB_URL is set), the only durable
 * state; the bus, the publisher's checkpoint
 * and the read model live in memory and are rebuilt through the normal pipeline
 * (store -> publisher -> bus -> projector) before the HTTP port opens.
 */
import type { FastifyInstance } from "fastify";
import { InProcessBus } from "../bus/inProcess.js";
import { InMemoryCheckpointStore } from "../checkpoints/inMemory.js";
import type { Settings } from "../config.js";
import { PUBLISHED_STREAM_PREFIXES } from "../events/publishedStreams.js";
import { type ProcessLogger, createLogger } from "../logging.js";
import { Publisher } from "../publisher/publisher.js";
import { InMemoryReadModel } from "../readmodel/inMemory.js";
import { PROJECTOR_GROUP, Projector } from "../readmodel/projector.js";
import type { EventStore } from "../eventstore/port.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import { openEventStore } from "./adapters.js";
import { buildApi } from "./api.js";

export interface RunningService {
  app: FastifyInstance;
  /** Stops taking requests, lets in-flight ones finish, then stops every role. */
  stop(): Promise<void>;
}

export async function startEmbedded(settings: Settings, logger: ProcessLogger = createLogger(settings.logLevel)): Promise<RunningService> {
  const store = openEventStore(settings);
  const readModel = new InMemoryReadModel();
  const app = await buildApi(settings, store, readModel, logger);

  const startedAt = Date.now();
  const pipeline = await startInProcessPipeline(store, readModel, settings, logger);
  logger.info({ ms: Date.now() - startedAt, data_dir: settings.dataDir }, "read model rebuilt from the event store");

  await app.listen({ port: settings.port, host: settings.host });
  return {
    app,
    async stop() {
      await app.close();
      await pipeline.stop();
      await readModel.close();
      await store.close();
    },
  };
}

/**
 * Store -> publisher -> in-process bus -> projector -> `readModel`, from the beginning of the
 * log; resolves once the read model holds everything the store held at the start, and keeps
 * following the store until stopped.
 */
export async function startInProcessPipeline(
  store: EventStore,
  readModel: CustomerReadModel,
  settings: Settings,
  logger: ProcessLogger,
): Promise<{ stop(): Promise<void> }> {
  const bus = new InProcessBus();
  const projector = new Projector({ bus, readModel, topic: settings.eventsTopic, groupId: PROJECTOR_GROUP, logger });
  const publisher = new Publisher({
    store,
    bus,
    checkpoints: new InMemoryCheckpointStore(),
    topic: settings.eventsTopic,
    streamPrefixes: PUBLISHED_STREAM_PREFIXES,
    logger,
  });
  const head = await store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES });
  const rebuilt = head === undefined ? Promise.resolve() : projector.caughtUpTo(head);
  await projector.start();
  await publisher.start();
  await rebuilt;
  return {
    async stop() {
      await publisher.stop();
      await projector.stop();
      await bus.close();
    },
  };
}
