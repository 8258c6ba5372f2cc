/**
 * Embedded mode: every role in one process, nothing else installed. The event store is a
 * SQLite file under DATA_DIR (or KurrentDB, when KURRENTDB_URL is set), the source of truth;
 * the read model is a SQLite file of its own beside it, which records with each batch how far
 * into the log it has projected. The bus lives in memory; at start the publisher follows the
 * log from the read model's position, so the pipeline (store -> publisher -> bus ->
 * projector) only has to bring the read model up to date before the HTTP port opens.
 */
import type { FastifyInstance } from "fastify";
import { InProcessBus } from "../bus/inProcess.js";
import type { CheckpointStore } from "../checkpoints/port.js";
import type { Settings } from "../config.js";
import { PUBLISHED_STREAM_PREFIXES } from "../events/publishedStreams.js";
import { type ProcessLogger, createLogger } from "../logging.js";
import { Publisher } from "../publisher/publisher.js";
import { PROJECTOR_GROUP, Projector } from "../readmodel/projector.js";
import type { EventStore } from "../eventstore/port.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import { openEmbeddedReadModel, openEventStore } from "./adapters.js";
import { buildApi } from "./api.js";

export interface RunningService {
  app: FastifyInstance;
  /** Stops taking requests, lets in-flight ones finish, then stops every role. */
  stop(): Promise<void>;
}

export async function startEmbedded(settings: Settings, logger: ProcessLogger = createLogger(settings.logLevel)): Promise<RunningService> {
  const store = openEventStore(settings, { writerThread: true });
  const readModel = openEmbeddedReadModel(settings);
  const app = await buildApi(settings, store, readModel, logger);

  const startedAt = Date.now();
  const from = await readModel.projectedPosition();
  // A read model ahead of an empty store is another store's: start it again.
  if (from !== undefined && (await store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES })) === undefined) await readModel.reset();
  const pipeline = await startInProcessPipeline(store, readModel, settings, logger);
  logger.info({ ms: Date.now() - startedAt, data_dir: settings.dataDir, resumed_from: from ?? null }, "read model up to date with the event store");

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
 * Store -> publisher -> in-process bus -> projector -> `readModel`, from the position the read
 * model has reached (the beginning of the log for one that keeps none); resolves once the
 * read model holds everything the store held at the start, and keeps following the store
 * until stopped.
 */
export async function startInProcessPipeline(
  store: EventStore,
  readModel: CustomerReadModel,
  settings: Settings,
  logger: ProcessLogger,
): Promise<{ stop(): Promise<void> }> {
  const bus = new InProcessBus();
  const projector = new Projector({ bus, readModel, topic: settings.eventsTopic, groupId: PROJECTOR_GROUP, logger });
  const from = await readModel.projectedPosition();
  // The read model's own position is the publisher's checkpoint: it moves with each batch
  // the projector commits, so nothing the bus lost in a crash is skipped.
  const checkpoints: CheckpointStore = { load: async () => from, save: async () => undefined, close: async () => undefined };
  const publisher = new Publisher({
    store,
    bus,
    checkpoints,
    topic: settings.eventsTopic,
    streamPrefixes: PUBLISHED_STREAM_PREFIXES,
    logger,
  });
  const head = await store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES });
  const rebuilt = head === undefined || head === from ? Promise.resolve() : projector.caughtUpTo(head);
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
