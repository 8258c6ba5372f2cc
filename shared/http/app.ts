/**
 * The HTTP application: Medusa's wire behaviour (bodies, query strings, validation, errors,
 * auth) around the customer and customer-group routes. Built from already-wired dependencies; it opens nothing.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { randomUUID } from "node:crypto";
import qs from "qs";
import type { CustomerCommands } from "../application/customerCommands.js";
import type { CustomerGroupCommands } from "../application/customerGroupCommands.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import adminAuth from "./auth.js";
import { registerBodyParsers } from "./bodyParsers.js";
import { customerGroupRoutes } from "./customerGroups/routes.js";
import { addressRoutes } from "./customers/addressRoutes.js";
import { customerRoutes } from "./customers/routes.js";
import { medusaErrorHandler } from "./errors.js";
import { openApiDocument } from "./openapi.js";
import { medusaValidatorCompiler } from "./validation/compiler.js";

export interface AppOptions {
  jwtSecret: string;
  bodyLimit: number;
  logger: FastifyBaseLogger;
  commands: CustomerCommands;
  groupCommands: CustomerGroupCommands;
  readModel: CustomerReadModel;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    routerOptions: {
      ignoreTrailingSlash: true,
      maxParamLength: 500,
      // Express's `qs` parsing, which Medusa's query validators are written against.
      querystringParser: (query) => qs.parse(query, { depth: 5, arrayLimit: 100, parameterLimit: 1000 }),
    },
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  app.setValidatorCompiler(medusaValidatorCompiler);
  app.setErrorHandler(medusaErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ type: "not_found", message: `Cannot ${request.method} ${request.url.split("?")[0]}` }),
  );
  registerBodyParsers(app);
  const routes = openApiDocument(app);

  await app.register(adminAuth, { jwtSecret: options.jwtSecret });
  await app.register(customerRoutes, { commands: options.commands, readModel: options.readModel });
  await app.register(addressRoutes, { commands: options.commands, readModel: options.readModel });
  await app.register(customerGroupRoutes, { groupCommands: options.groupCommands, customerCommands: options.commands, readModel: options.readModel });
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/openapi.json", async () => routes.document());
  return app;
}
