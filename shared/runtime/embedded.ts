/**
 * Embedded mode: every role in one process, nothing else installed. The event store is a
 * SQLite file under DATA_DIR (or KurrentDB or PostgreSQL, when KURRENTDB_URL or POSTGRES_URL
 * is set), the source of truth, holding the customers' personal fields sealed under keys kept
 * in DATA_DIR/keys.sqlite (in PostgreSQL with POSTGRES_URL);
 * the read model is a SQLite file of its own beside it, which records with each batch how far
 * into the log it has projected. The bus lives in memory; at start the publisher follows the
 * log from the read model's position, so the pipeline (store -> publisher -> bus ->
 * projector) only has to bring the read model up to date before the HTTP port opens. The read
 * model can be rebuilt while the service runs (shared/runtime/embeddedReadSide.ts).
 */
import { adminPageBuilt } from "../http/adminPage.js";
import { mkdirSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import type { Settings } from "../config.js";
import { type ProcessLogger, createLogger } from "../logging.js";
import { embeddedProjectionLag, eventStoreProbe, inProcessBusProbe, projectionLagProbe, readModelProbe } from "../health/dependencyProbes.js";
import { watchReadiness } from "../health/readiness.js";
import { observeEmbeddedLags } from "../metrics/lags.js";
import { createMetrics } from "../metrics/registry.js";
import { openEventStore } from "./adapters.js";
import { type ApiOptions, buildApi } from "./api.js";
import { EmbeddedReadSide } from "./embeddedReadSide.js";
import { SealingEventStore } from "../eventstore/sealing.js";
import { openKeyStore } from "./keys.js";
import { stopInOrder } from "./stopInOrder.js";

export interface RunningService {
  app: FastifyInstance;
  /** Stops taking requests, lets in-flight ones finish, then stops every role. */
  stop(): Promise<void>;
}

export async function startEmbedded(
  settings: Settings,
  logger: ProcessLogger = createLogger(settings.logLevel),
  options: Pick<ApiOptions, "clock"> = {},
): Promise<RunningService> {
  // The read model and sessions live in DATA_DIR whichever store holds the events.
  mkdirSync(settings.dataDir, { recursive: true });
  const keys = await openKeyStore(settings, logger);
  // Personal fields are sealed on their way into the store and opened on their way out.
  const store = new SealingEventStore(openEventStore(settings, { writerThread: true }), keys);
  const readSide = await EmbeddedReadSide.open(settings, store, logger);
  const readiness = watchReadiness({
    event_store: eventStoreProbe(store),
    bus: inProcessBusProbe(() => readSide.publisher),
    read_model: readModelProbe(() => readSide.readModel.projectedPosition()),
    projection_lag: projectionLagProbe(embeddedProjectionLag(store, readSide.readModel), settings.unhealthyAfterMs),
  });
  const metrics = settings.metricsToken === undefined ? undefined : createMetrics();
  if (metrics) observeEmbeddedLags(metrics, store, () => readSide.publisher?.position, () => readSide.readModel.projectedPosition());
  const app = await buildApi(settings, store, readSide.readModel, logger, undefined, readSide, { keys, readiness: readiness.check, metrics, ...options });

  const startedAt = Date.now();
  const from = await readSide.readModel.projectedPosition();
  await readSide.start();
  logger.info({ ms: Date.now() - startedAt, data_dir: settings.dataDir, resumed_from: from ?? null }, "read model up to date with the event store");

  // The first samples were taken while the parts started; /ready answers for the started service.
  await readiness.sampleNow();
  const address = await app.listen({ port: settings.port, host: settings.host });
  if (adminPageBuilt()) logger.info({ url: `${address}/app/` }, "the admin page is served");
  return {
    app,
    stop: () => stopInOrder([() => app.close(), () => readiness.stop(), () => readSide.stop(), () => store.close(), () => keys.close()]),
  };
}
