/** The HTTP API over an event store and a read model, as every mode wires it (not yet listening). */
import type { FastifyInstance } from "fastify";
import { monotonicFactory } from "ulid";
import { CustomerCommands } from "../application/customerCommands.js";
import { CustomerGroupCommands } from "../application/customerGroupCommands.js";
import type { Settings } from "../config.js";
import type { EventStore } from "../eventstore/port.js";
import { buildApp } from "../http/app.js";
import type { ProcessLogger } from "../logging.js";
import type { CustomerReadModel } from "../readmodel/port.js";

export function buildApi(settings: Settings, store: EventStore, readModel: CustomerReadModel, logger: ProcessLogger): Promise<FastifyInstance> {
  // Monotonic within the process, so ids made in the same millisecond still sort by creation.
  const newUlid = monotonicFactory();
  const commands = new CustomerCommands({
    store,
    readModel,
    clock: () => new Date(),
    newCustomerId: () => `cus_${newUlid()}`,
    newAddressId: () => `cuaddr_${newUlid()}`,
    logger,
    readModelWaitMs: settings.readModelWaitMs,
    reservationGraceMs: settings.reservationGraceMs,
  });
  const groupCommands = new CustomerGroupCommands({
    store,
    readModel,
    clock: () => new Date(),
    newGroupId: () => `cusgroup_${newUlid()}`,
    logger,
    readModelWaitMs: settings.readModelWaitMs,
    reservationGraceMs: settings.reservationGraceMs,
  });
  return buildApp({ jwtSecret: settings.jwtSecret, bodyLimit: settings.bodyLimitBytes, logger, commands, groupCommands, readModel });
}
