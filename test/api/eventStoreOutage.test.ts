/**
 * The API over a KurrentDB event store that goes away (the client STAND-IN,
 * test/support/kurrentdbStandIn.ts): writes answer 503 with Retry-After and change nothing
 * while it is down, and work again by themselves once it is back, also when the client was
 * left stuck on a failed capability check. Nothing is restarted.
 */
import { randomBytes, randomUUID } from "node:crypto";
import t from "tap";
import { CustomerCommands } from "../../shared/application/customerCommands.js";
import { EntityHistory } from "../../shared/application/history.js";
import { IdempotencyKeys } from "../../shared/application/idempotencyKeys.js";
import { CustomerGroupCommands } from "../../shared/application/customerGroupCommands.js";
import { customerEmailReservations } from "../../shared/application/reservations.js";
import { signAdminToken } from "../../shared/auth/adminToken.js";
import { KurrentDbEventStore } from "../../shared/eventstore/kurrentdb.js";
import { buildApp } from "../../shared/http/app.js";
import { silentLogger } from "../../shared/logger.js";
import { createLogger } from "../../shared/logging.js";
import { InMemoryReadModel } from "../../shared/readmodel/inMemory.js";
import { ReadYourWrites } from "../../shared/readmodel/readYourWrites.js";
import { authDependencies } from "../support/auth.js";
import { KurrentDbStandIn } from "../support/kurrentdbStandIn.js";
import { makeDataDir } from "../support/service.js";

t.test("writes answer 503 while KurrentDB is down and work again by themselves once it is back", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const standIn = new KurrentDbStandIn();
  const store = new KurrentDbEventStore(() => standIn.client(), { readDeadlineMs: 1000 });
  const readModel = new InMemoryReadModel();
  const commands = new CustomerCommands({
    store,
    clock: () => new Date(),
    newCustomerId: () => `cus_${randomUUID()}`,
    newAddressId: () => `cuaddr_${randomUUID()}`,
    logger: silentLogger,
    reservationGraceMs: 30_000,
    emails: customerEmailReservations({ indexKey: randomBytes(32), legacyStreams: false }),
  });
  const groupCommands = new CustomerGroupCommands({ store, clock: () => new Date(), newGroupId: () => `cusgroup_${randomUUID()}`, logger: silentLogger, reservationGraceMs: 30_000 });
  const auth = authDependencies(store, data.dir);
  t.teardown(() => auth.sessions.close());
  const readYourWrites = new ReadYourWrites({ readModel, store, logger: silentLogger, waitMs: 50 });
  const app = await buildApp({ jwtSecret: "s", bodyLimit: 102_400, trustProxy: false, logger: createLogger("silent"), commands, groupCommands, readModel, readYourWrites, history: new EntityHistory(store), idempotencyKeys: new IdempotencyKeys({ store, clock: () => new Date(), logger: silentLogger }), auth });
  t.teardown(async () => {
    await app.close();
    await store.close();
  });
  const authorization = `Bearer ${signAdminToken({ secret: "s", actorId: "user_1", now: new Date(), expiresInSeconds: 600 })}`;
  const create = (email: string) => app.inject({ method: "POST", url: "/admin/customers", headers: { authorization }, payload: { email } });

  t.equal((await create("before@example.com")).statusCode, 200, "writes work");

  standIn.down();
  const refused = await create("during@example.com");
  t.equal(refused.statusCode, 503);
  t.equal(refused.headers["retry-after"], "1");
  t.same(refused.json(), { type: "unexpected_state", message: "The event store is unavailable. The request changed nothing; retry it later." });
  t.notOk(standIn.events.some((event) => JSON.stringify(event.data).includes("during@")), "and nothing was written");

  standIn.up();
  t.equal((await create("during@example.com")).statusCode, 200, "the same write succeeds once the store is back");

  // The client is left stuck on a failed capability check (a deadline while the server was
  // away): once the server is back, writes answer 503 until the adapter replaces the
  // client, then work again.
  standIn.down();
  standIn.poisonExistingClients();
  standIn.up();
  const statuses: number[] = [];
  let answered = 0;
  const deadline = Date.now() + 30_000;
  while (answered !== 200 && Date.now() < deadline) {
    answered = (await create("after@example.com")).statusCode;
    statuses.push(answered);
    if (answered !== 200) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  t.equal(answered, 200, `writes recover without a restart (${statuses.join(" ")})`);
  t.ok(statuses.slice(0, -1).every((status) => status === 503), "every refused write said 503");
});
