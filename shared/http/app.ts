/**
 * The HTTP application: Medusa's wire behaviour (bodies, query strings, validation, errors,
 * auth) around the customer and customer-group routes. Built from already-wired dependencies; it opens nothing.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { randomUUID } from "node:crypto";
import qs from "qs";
import type { AdminUsers } from "../application/adminUsers.js";
import type { ApiKeys } from "../application/apiKeys.js";
import type { CustomerCommands } from "../application/customerCommands.js";
import type { CustomerGroupCommands } from "../application/customerGroupCommands.js";
import type { EntityHistory } from "../application/history.js";
import type { Projections } from "../readmodel/projections.js";
import type { IdempotencyKeys } from "../application/idempotencyKeys.js";
import type { EmailPassLogin } from "../application/emailpassLogin.js";
import type { AuthSettings, TrustProxy } from "../config.js";
import type { HealthCheck } from "../health/report.js";
import type { ReadinessCheck } from "../health/readiness.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import type { ReadYourWrites } from "../readmodel/readYourWrites.js";
import type { SessionStore } from "../sessions/port.js";
import { adminRoutes } from "./adminRoutes.js";
import adminAuth from "./auth.js";
import { loginRoutes } from "./authRoutes/loginRoutes.js";
import { sessionRoutes } from "./authRoutes/sessionRoutes.js";
import cors from "./cors.js";
import { registerBodyParsers } from "./bodyParsers.js";
import { medusaErrorHandler } from "./errors.js";
import { MAX_PARAM_LENGTH, onClientError, onFrameworkError, onRouteNotFound } from "./frameworkErrors.js";
import { registerOpenApi } from "./openapi.js";
import readinessRoute from "./readinessRoute.js";
import metricsPlugin from "./metricsPlugin.js";
import type { ServiceMetrics } from "../metrics/registry.js";
import { adminPage } from "./adminPage.js";
import type { EventFeed } from "../application/eventFeed.js";
import { type AsyncApiSettings, asyncApiDocument } from "../events/asyncapi.js";
import { medusaValidatorCompiler } from "./validation/compiler.js";

export interface AppOptions {
  jwtSecret: string;
  bodyLimit: number;
  /** Whose X-Forwarded-* headers to believe (shared/config.ts). */
  trustProxy: TrustProxy;
  logger: FastifyBaseLogger;
  commands: CustomerCommands;
  groupCommands: CustomerGroupCommands;
  readModel: CustomerReadModel;
  /** How a write's answer waits for the read model (and what it shows when it is behind). */
  readYourWrites: ReadYourWrites;
  /** Each customer's and group's changes, from the event store. */
  history: EntityHistory;
  /** The read model's projection, where this mode can rebuild it without downtime. */
  projections?: Projections;
  /** The published events, streamed by GET /admin/events. */
  events?: EventFeed;
  /** Where Idempotency-Keys are kept and checked. */
  idempotencyKeys: IdempotencyKeys;
  auth: AuthDependencies;
  /** The built admin page's folder, served at /app (adminPage.ts); no page when absent. */
  adminPageDir?: string;
  /** What GET /health reports; "ok" when absent. Only "unhealthy" answers 503. */
  health?: HealthCheck;
  /** What GET /ready reports: each dependency usable or not; ready when absent. */
  readiness?: ReadinessCheck;
  /** Prometheus metrics and the token GET /metrics asks for; no /metrics when absent. */
  metrics?: { metrics: ServiceMetrics; token: string };
  /** The topic GET /asyncapi.json names; the default when absent. */
  asyncApi?: AsyncApiSettings;
}

export interface AuthDependencies {
  users: AdminUsers;
  login: EmailPassLogin;
  apiKeys: ApiKeys;
  sessions: SessionStore;
  settings: AuthSettings;
  /** Production: session cookies are Secure (and SameSite=Lax), set only over HTTPS. */
  secureCookies: boolean;
}

/** `TRUST_PROXY=2`: the two proxies nearest to the service are believed. */
const trustHops =
  (hops: number) =>
  (_address: string, hop: number): boolean =>
    hop < hops;

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    routerOptions: {
      ignoreTrailingSlash: true,
      maxParamLength: MAX_PARAM_LENGTH,
      // Express's `qs` parsing, which Medusa's query validators are written against.
      querystringParser: (query) => qs.parse(query, { depth: 5, arrayLimit: 100, parameterLimit: 1000 }),
    },
    requestIdHeader: false,
    frameworkErrors: (error, request, reply) => onFrameworkError(error, request as never, reply as never),
    clientErrorHandler: onClientError,
    // X-Forwarded-For and X-Forwarded-Proto (the login limits' client address, HTTPS for
    // Secure cookies) only from the proxies TRUST_PROXY names: any client can send them.
    trustProxy: typeof options.trustProxy === "number" ? trustHops(options.trustProxy) : options.trustProxy,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  app.setValidatorCompiler(medusaValidatorCompiler);
  app.setErrorHandler(medusaErrorHandler);
  app.setNotFoundHandler(onRouteNotFound);
  registerBodyParsers(app);
  // First, so that its hooks time every route registered after it.
  if (options.metrics) await app.register(metricsPlugin, options.metrics);
  // Answers keep the key order Medusa's have (`fields` decides it), which a serializer
  // compiled from the response schemas would not: they are written as JSON.stringify writes them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await registerOpenApi(app);

  const { auth } = options;
  const cookie = { name: auth.settings.sessionCookieName, secret: auth.settings.cookieSecret, secure: auth.secureCookies };
  await app.register(cors, { adminCors: auth.settings.adminCors, authCors: auth.settings.authCors });
  await app.register(adminAuth, {
    jwtSecret: options.jwtSecret,
    sessions: auth.sessions,
    cookie,
    authenticateApiKey: (secret) => auth.apiKeys.authenticate(secret),
    trustedOrigins: [...auth.settings.adminCors, ...auth.settings.authCors],
  });
  await app.register(loginRoutes, { login: auth.login, jwtSecret: options.jwtSecret });
  await app.register(sessionRoutes, { sessions: auth.sessions, cookie, sessionTtlMs: auth.settings.sessionTtlMs, users: auth.users, jwtSecret: options.jwtSecret });
  const { commands, groupCommands, readModel, readYourWrites, history, idempotencyKeys, projections, events } = options;
  await app.register(adminRoutes, { commands, groupCommands, readModel, readYourWrites, history, idempotencyKeys, projections, events });
  // The contract of what the service publishes, public as /openapi.json is: it holds no data.
  const asyncApi = asyncApiDocument(options.asyncApi);
  app.get("/asyncapi.json", { schema: { hide: true } }, async () => asyncApi);
  if (options.adminPageDir !== undefined) await app.register(adminPage, { dir: options.adminPageDir });
  app.get("/health", { schema: { hide: true } }, async (_request, reply) => {
    const report = options.health?.() ?? { status: "ok", reasons: [], details: {} };
    if (report.status === "unhealthy") reply.code(503);
    return report.status === "ok" ? { status: "ok" } : { status: report.status, reasons: report.reasons, ...report.details };
  });
  await app.register(readinessRoute, { readiness: options.readiness });
  return app;
}
