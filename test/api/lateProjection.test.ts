/**
 * When the read model is late: a write waits up to READ_MODEL_WAIT_MS for its own revision,
 * then answers with the document built from the events it wrote (the projection the read
 * model applies), marked `x-read-model: behind`. The write is never lost and the answer is
 * never a stale document.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import t from "tap";
import { CustomerGroupCommands } from "../../shared/application/customerGroupCommands.js";
import { CustomerCommands } from "../../shared/application/customerCommands.js";
import { customerEmailReservations } from "../../shared/application/reservations.js";
import { EntityHistory } from "../../shared/application/history.js";
import { IdempotencyKeys } from "../../shared/application/idempotencyKeys.js";
import { ReadYourWrites } from "../../shared/readmodel/readYourWrites.js";
import { signAdminToken } from "../../shared/auth/adminToken.js";
import { InProcessBus } from "../../shared/bus/inProcess.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { buildApp } from "../../shared/http/app.js";
import { silentLogger } from "../../shared/logger.js";
import { createLogger } from "../../shared/logging.js";
import { InMemoryCheckpointStore } from "../../shared/checkpoints/inMemory.js";
import { Publisher } from "../../shared/publisher/publisher.js";
import { InMemoryReadModel } from "../../shared/readmodel/inMemory.js";
import { Projector } from "../../shared/readmodel/projector.js";
import { authDependencies } from "../support/auth.js";
import { makeDataDir } from "../support/service.js";

t.test("a write answers from its own events when the projection is late, and the read model converges", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  const readModel = new InMemoryReadModel();
  const bus = new InProcessBus();
  const readYourWrites = new ReadYourWrites({ readModel, store, logger: silentLogger, waitMs: 500, probeMs: 100 });
  const commands = new CustomerCommands({
    store,
    clock: () => new Date(),
    newCustomerId: () => `cus_${randomUUID()}`,
    newAddressId: () => `cuaddr_${randomUUID()}`,
    logger: silentLogger,
    reservationGraceMs: 30_000,
    emails: customerEmailReservations({ indexKey: randomBytes(32), legacyStreams: false }),
  });
  const groupCommands = new CustomerGroupCommands({
    store,
    clock: () => new Date(),
    newGroupId: () => `cusgroup_${randomUUID()}`,
    logger: silentLogger,
    reservationGraceMs: 30_000,
  });
  const auth = authDependencies(store, data.dir);
  t.teardown(() => auth.sessions.close());
  const app = await buildApp({ jwtSecret: "s", bodyLimit: 102_400, trustProxy: false, logger: createLogger("silent"), commands, groupCommands, readModel, readYourWrites, history: new EntityHistory(store), idempotencyKeys: new IdempotencyKeys({ store, clock: () => new Date(), logger: silentLogger }), auth });
  const authorization = `Bearer ${signAdminToken({ secret: "s", actorId: "user_1", now: new Date(), expiresInSeconds: 60 })}`;

  // No publisher or projector is running: the read model stays behind.
  const started = Date.now();
  const res = await app.inject({ method: "POST", url: "/admin/customers", headers: { authorization }, payload: { email: "late@example.com" } });
  const waited = Date.now() - started;
  t.equal(res.statusCode, 200, "the write is accepted");
  t.equal(res.headers["x-read-model"], "behind");
  t.ok(waited >= 495 && waited < 2000, `the wait is bounded (${waited} ms)`);
  const answered = res.json().customer;
  t.match(answered, { email: "late@example.com", has_account: false, created_by: "user_1", deleted_at: null });

  // Now the read model is known to be behind: the next writes answer after a short look.
  for (let i = 0; i < 3; i += 1) {
    const next = Date.now();
    const quick = await app.inject({ method: "POST", url: "/admin/customers", headers: { authorization }, payload: {} });
    t.same([quick.statusCode, quick.headers["x-read-model"]], [200, "behind"]);
    t.ok(Date.now() - next < 400, `and answers at once (${Date.now() - next} ms), not after the whole wait`);
  }
  t.equal(readYourWrites.behind, true);

  const notYet = await app.inject({ method: "GET", url: `/admin/customers/${answered.id}`, headers: { authorization } });
  t.equal(notYet.statusCode, 404, "reads show what the read model holds");

  // The pipeline starts late; the read model converges on exactly what was answered.
  const projector = new Projector({ bus, readModel, topic: "t", groupId: "g", logger: silentLogger });
  const publisher = new Publisher({ store, bus, checkpoints: new InMemoryCheckpointStore(), topic: "t", streamPrefixes: ["customer-"], logger: silentLogger });
  const caughtUp = projector.caughtUpTo((await store.headPosition({ streamPrefixes: ["customer-"] }))!);
  await projector.start();
  await publisher.start();
  await caughtUp;
  const converged = await app.inject({ method: "GET", url: `/admin/customers/${answered.id}`, headers: { authorization } });
  t.same(converged.json().customer, answered);

  for (let i = 0; i < 3; i += 1) {
    const onTime = await app.inject({ method: "POST", url: "/admin/customers", headers: { authorization }, payload: {} });
    t.equal(onTime.headers["x-read-model"], undefined, "with the projection running, answers come from the read model");
    t.equal(readYourWrites.behind, i < 2, i < 2 ? "still looking briefly: one write shown may be chance" : "three in a row: writes wait for it as usual again");
  }

  await app.close();
  await publisher.stop();
  await projector.stop();
  await store.close();
});
