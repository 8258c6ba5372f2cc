/**
 * Embedded mode: every role in one process, nothing else installed. The event store is a
 * SQLite file under DATA_DIR (the only durable state); the bus, the publisher's checkpoint
 * and the read model live in memory and are rebuilt through the normal pipeline
 * (store -> publisher -> bus -> projector) before the HTTP port opens.
 */
import type { FastifyInstance } from "fastify";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { monotonicFactory } from "ulid";
import { CustomerCommands } from "../application/customerCommands.js";
import { InProcessBus } from "../bus/inProcess.js";
import type { Settings } from "../config.js";
import { CUSTOMER_STREAM_PREFIX } from "../customers/customer.js";
import { SqliteEventStore } from "../eventstore/sqlite.js";
import { buildApp } from "../http/app.js";
import { type ProcessLogger, createLogger } from "../logging.js";
import { InMemoryCheckpointStore } from "../checkpoints/inMemory.js";
import { Publisher } from "../publisher/publisher.js";
import { InMemoryReadModel } from "../readmodel/inMemory.js";
import { PROJECTOR_GROUP, Projector } from "../readmodel/projector.js";

export interface RunningService {
  app: FastifyInstance;
  /** Stops taking requests, lets in-flight ones finish, then stops every role. */
  stop(): Promise<void>;
}


export async function startEmbedded(settings: Settings, logger: ProcessLogger = createLogger(settings.logLevel)): Promise<RunningService> {
  mkdirSync(settings.dataDir, { recursive: true });
  const store = new SqliteEventStore(join(settings.dataDir, "events.sqlite"));
  const bus = new InProcessBus();
  const readModel = new InMemoryReadModel();
  const newUlid = monotonicFactory();

  const commands = new CustomerCommands({
    store,
    readModel,
    clock: () => new Date(),
    newCustomerId: () => `cus_${newUlid()}`,
    newAddressId: () => `cuaddr_${newUlid()}`,
    logger,
    readModelWaitMs: settings.readModelWaitMs,
    emailReservationGraceMs: settings.emailReservationGraceMs,
  });
  const app = await buildApp({
    jwtSecret: settings.jwtSecret,
    bodyLimit: settings.bodyLimitBytes,
    logger,
    commands,
    readModel,
  });

  const projector = new Projector({ bus, readModel, topic: settings.eventsTopic, groupId: PROJECTOR_GROUP, logger });
  const publisher = new Publisher({
    store,
    bus,
    checkpoints: new InMemoryCheckpointStore(),
    topic: settings.eventsTopic,
    streamPrefixes: [CUSTOMER_STREAM_PREFIX],
    logger,
  });

  const startedAt = Date.now();
  const head = await store.headPosition({ streamPrefixes: [CUSTOMER_STREAM_PREFIX] });
  const rebuilt = head === undefined ? Promise.resolve() : projector.caughtUpTo(head);
  await projector.start();
  await publisher.start();
  await rebuilt;
  logger.info({ ms: Date.now() - startedAt, data_dir: settings.dataDir }, "read model rebuilt from the event store");

  await app.listen({ port: settings.port, host: settings.host });
  return {
    app,
    async stop() {
      await app.close();
      await publisher.stop();
      await projector.stop();
      await bus.close();
      await readModel.close();
      await store.close();
    },
  };
}
