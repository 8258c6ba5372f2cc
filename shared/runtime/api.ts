/**
 * The HTTP API over an event store and a read model, as every mode wires it (not yet
 * listening). It opens the session store of the mode, which closes with the app.
 */
import { builtAdminPageDir } from "../http/adminPage.js";
import type { FastifyInstance } from "fastify";
import { AdminUsers } from "../application/adminUsers.js";
import { ApiKeys } from "../application/apiKeys.js";
import { CustomerCommands } from "../application/customerCommands.js";
import { CustomerGroupCommands } from "../application/customerGroupCommands.js";
import { customerEmailReservations, legacyEmailReservationsExist } from "../application/reservations.js";
import { EmailPassLogin } from "../application/emailpassLogin.js";
import { EntityHistory } from "../application/history.js";
import { IdempotencyKeys } from "../application/idempotencyKeys.js";
import { LoginThrottle } from "../auth/loginThrottle.js";
import { EventFeed } from "../application/eventFeed.js";
import type { Settings } from "../config.js";
import { publicEmailIndexKey } from "../customers/emailReservation.js";
import type { EventStore } from "../eventstore/port.js";
import type { KeyStore } from "../keystore/keyStore.js";
import type { HealthCheck } from "../health/report.js";
import type { ReadinessCheck } from "../health/readiness.js";
import type { ServiceMetrics } from "../metrics/registry.js";
import { timeAppends } from "../metrics/timedEventStore.js";
import { buildApp } from "../http/app.js";
import type { ProcessLogger } from "../logging.js";
import { StreamStateCache } from "../eventstore/streamStateCache.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import type { Projections } from "../readmodel/projections.js";
import { ReadYourWrites } from "../readmodel/readYourWrites.js";
import { sweepExpiredSessions } from "../sessions/sweeper.js";
import { openSessionStore } from "./adapters.js";
import { sweepExpiredAnswerKeys } from "./keys.js";
import { ulidFactory } from "./ulids.js";

export interface ApiOptions {
  /**
   * The customers' data keys: erasure destroys them, and the secret that names customer email
   * reservation streams (emailReservation.ts) is kept among them. Without them, erasure is
   * refused and the names use a key anyone can derive (no more private than a plain hash).
   */
  keys?: KeyStore;
  /** What GET /ready reports (shared/health/readiness.ts). */
  readiness?: ReadinessCheck;
  /** Served at GET /metrics when METRICS_TOKEN is set; the API's appends are timed into it. */
  metrics?: ServiceMetrics;
  /** The time the commands decide at (and keys expire by); the system clock unless given. */
  clock?: () => Date;
}

/** The key-store subject of the secret that names email reservation streams (never a customer id, which starts `cus_`). */
export const EMAIL_INDEX_KEY_SUBJECT = "index:customer-email";

export async function buildApi(
  settings: Settings,
  untimedStore: EventStore,
  readModel: CustomerReadModel,
  logger: ProcessLogger,
  health?: HealthCheck,
  projections?: Projections,
  options: ApiOptions = {},
): Promise<FastifyInstance> {
  const newUlid = ulidFactory();
  const store = options.metrics ? timeAppends(untimedStore, options.metrics) : untimedStore;
  const clock = options.clock ?? (() => new Date());
  // One budget for the states of every kind of stream the API writes (and the documents it answers with).
  const states = settings.stateCacheBytes > 0 ? new StreamStateCache({ maxBytes: settings.stateCacheBytes }) : undefined;
  const readYourWrites = new ReadYourWrites({ readModel, store, states, logger, waitMs: settings.readModelWaitMs });
  const commands = new CustomerCommands({
    store,
    clock,
    newCustomerId: () => `cus_${newUlid()}`,
    newAddressId: () => `cuaddr_${newUlid()}`,
    logger,
    reservationGraceMs: settings.reservationGraceMs,
    ...(options.keys && { dataKeys: options.keys }),
    emails: customerEmailReservations({
      indexKey: options.keys ? await options.keys.obtain(EMAIL_INDEX_KEY_SUBJECT) : publicEmailIndexKey(),
      legacyStreams: await legacyEmailReservationsExist(store),
    }),
    states,
  });
  const groupCommands = new CustomerGroupCommands({
    store,
    clock,
    newGroupId: () => `cusgroup_${newUlid()}`,
    logger,
    reservationGraceMs: settings.reservationGraceMs,
    states,
  });
  const { auth } = settings;
  const users = new AdminUsers({
    store,
    clock,
    newUserId: () => `user_${newUlid()}`,
    newAuthIdentityId: () => `authid_${newUlid()}`,
    reservationGraceMs: settings.reservationGraceMs,
  });
  const throttle = new LoginThrottle({
    maxFailuresPerEmail: auth.loginMaxFailuresPerEmail,
    maxFailuresPerClient: auth.loginMaxFailuresPerClient,
    windowMs: auth.loginFailureWindowMs,
  });
  const sessions = await openSessionStore(settings);
  const sweeper = sweepExpiredSessions(sessions, logger);
  const answerKeys = options.keys && sweepExpiredAnswerKeys(options.keys, logger);
  const app = await buildApp({
    jwtSecret: settings.jwtSecret,
    bodyLimit: settings.bodyLimitBytes,
    trustProxy: settings.trustProxy,
    logger,
    commands,
    groupCommands,
    readModel,
    readYourWrites,
    history: new EntityHistory(store),
    idempotencyKeys: new IdempotencyKeys({ store, clock, logger }),
    projections,
    events: new EventFeed(store, settings.eventStreamsMax),
    health,
    readiness: options.readiness,
    ...(options.metrics && settings.metricsToken !== undefined && { metrics: { metrics: options.metrics, token: settings.metricsToken } }),
    adminPageDir: builtAdminPageDir(),
    asyncApi: { eventsTopic: settings.eventsTopic, medusaEventsTopic: settings.medusaEventsTopic },
    auth: {
      users,
      login: new EmailPassLogin({ users, throttle }),
      apiKeys: new ApiKeys({ store, clock, newApiKeyId: () => `apk_${newUlid()}` }),
      sessions,
      settings: auth,
      secureCookies: settings.environment === "production",
    },
  });
  app.addHook("onClose", async () => {
    sweeper.stop();
    answerKeys?.stop();
    await sessions.close();
  });
  return app;
}
