/**
 * One fault under load on the cluster, measured: the three roles as processes over the given
 * Kafka and MongoDB-wire server, eight clients creating customers, changing their emails
 * and adding addresses the whole time (mixedLoad.ts), a fault injected a few seconds in and
 * healed after `faultMs`, then the load stops and the read model must hold every acknowledged
 * write within `catchUpBoundMs`. Prints what it measured on stderr (one line, prefixed
 * "fault:"), with the catch-up time: from the end of the fault until every create
 * acknowledged by then is in the read model. Asserts:
 * - every request was answered 200, none hung (the event store itself was never at fault);
 * - every acknowledged write is in the event store and the read model exactly once, and
 *   every email is reserved by the customer that has it, none twice and none left behind;
 * - the read model equals a fold of the event store, one document per stream;
 * - the roles the fault stops said so at GET /health (503 with a reason) while it lasted, and
 *   the publisher and projector are healthy again once the read model has caught up.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import type { Test } from "tap";
import { signAdminToken } from "../../shared/auth/adminToken.js";
import { checkConvergence } from "../../shared/readmodel/convergence.js";
import { openedEventStore } from "./openedStore.js";
import { MongoReadModel } from "../../shared/readmodel/mongodb.js";
import { auditLoad, startMixedLoad } from "./mixedLoad.js";
import { oneLoadAtATime } from "./oneLoadAtATime.js";
import { RoleProcess, freePort } from "../../shared/runtime/roleProcess.js";

export interface Roles {
  command: RoleProcess;
  publisher: RoleProcess;
  projector: RoleProcess;
}

export interface Fault {
  /** As printed: "Kafka paused (SIGSTOP)". */
  name: string;
  inject(roles: Roles): void | Promise<void>;
  heal(roles: Roles): void | Promise<void>;
  /** The roles that cannot do their job during the fault, and must say so. */
  stops: Array<"publisher" | "projector">;
  /**
   * The fault takes the command service itself down: requests in flight and those sent while
   * it is down fail (their outcome unknown to the client), and writes must be answered again
   * once it is back.
   */
  downsCommandService?: boolean;
}

export interface FaultScenario {
  kafkaBrokers: string;
  mongodbUrl: string;
  fault: Fault;
  warmMs?: number;
  faultMs?: number;
  /** Load goes on this long after the fault is healed. */
  afterMs?: number;
  catchUpBoundMs?: number;
  /** When set: the read model must start growing again within this long after the heal. */
  resumeBoundMs?: number;
}

/** A request that takes this long counts as hung. */
const HUNG_MS = 30_000;
/** Shorter than the faults, so that each role's verdict can be seen while the fault lasts. */
const UNHEALTHY_AFTER_MS = 10_000;
const CLIENTS = 8;

export async function runFaultScenario(t: Test, scenario: FaultScenario): Promise<void> {
  const { fault, warmMs = 5_000, faultMs = 30_000, afterMs = 5_000, catchUpBoundMs = 120_000 } = scenario;
  await oneLoadAtATime(t);
  const run = randomUUID().replaceAll("-", "").slice(0, 10);
  const dataDir = mkdtempSync(join(tmpdir(), "customers-fault-"));
  const database = `fault_${run}`;
  const secret = "fault-suite-secret";
  const token = signAdminToken({ secret, actorId: "user_faults", now: new Date(), expiresInSeconds: 3600 });
  // One master key for every role, as a deployment sets it (they share no key file).
  const masterKeyHex = randomBytes(32).toString("hex");
  const env = (extra: Record<string, string>) => ({
    NODE_ENV: "production",
    JWT_SECRET: secret,
    ENCRYPTION_KEY: masterKeyHex,
    KAFKA_BROKERS: scenario.kafkaBrokers,
    MONGODB_URL: scenario.mongodbUrl,
    MONGODB_DATABASE: database,
    // The events stay in DATA_DIR, whatever store this shell names.
    POSTGRES_URL: "",
    EVENTS_TOPIC: `customers.events.${run}`,
    MEDUSA_EVENTS_TOPIC: `customers.medusa-events.${run}`,
    READ_MODEL_NOTICES_TOPIC: `customers.read-model.${run}`,
    PROJECTOR_GROUP_ID: `customers-read-model-${run}`,
    DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    // ROLE_LOG_LEVEL=info with ROLE_LOG_DIR keeps what each role did, to study a run afterwards.
    LOG_LEVEL: process.env.ROLE_LOG_LEVEL ?? "warn",
    READ_MODEL_WAIT_MS: "3000",
    UNHEALTHY_AFTER_MS: String(UNHEALTHY_AFTER_MS),
    ...extra,
  });
  const [port, publisherHealth, projectorHealth] = [await freePort(), await freePort(), await freePort()];
  const baseUrl = `http://127.0.0.1:${port}`;
  const roles: Roles = {
    command: new RoleProcess("command", env({ PORT: String(port) }), `${baseUrl}/health`),
    publisher: new RoleProcess("publisher", env({ HEALTH_PORT: String(publisherHealth) }), `http://127.0.0.1:${publisherHealth}/health`),
    projector: new RoleProcess("projector", env({ HEALTH_PORT: String(projectorHealth) }), `http://127.0.0.1:${projectorHealth}/health`),
  };
  t.teardown(async () => {
    await Promise.all(Object.values(roles).map((role) => role.kill()));
    const client = new MongoClient(scenario.mongodbUrl, { serverSelectionTimeoutMS: 5_000 });
    await client
      .connect()
      .then(() => client.db(database).dropDatabase())
      .then(() => client.db(`${database}_keys`).dropDatabase())
      .catch(() => undefined)
      .finally(() => client.close());
    rmSync(dataDir, { recursive: true, force: true });
  });

  await roles.projector.start();
  await Promise.all([roles.publisher.start(), roles.command.start()]);

  /** Latencies of the writes sent while the fault lasted. */
  const duringFault: number[] = [];
  const slowDuringFault: number[] = [];
  let injectedAt = 0;
  let faulty = false;
  const load = startMixedLoad({
    baseUrl,
    authorization: `Bearer ${token}`,
    run,
    clients: CLIENTS,
    hungMs: HUNG_MS,
    onLatency: (ms) => {
      if (!faulty) return;
      duringFault.push(ms);
      // When in the fault a slow write ended (seconds since the fault began), to tell a first wave from a pattern.
      if (ms > 1_000) slowDuringFault.push(Math.round((Date.now() - injectedAt) / 100) / 10);
    },
  });
  const { tally } = load;
  const createdIds = () => [...tally.customers.keys()];

  // What the publisher and projector said about themselves while the load ran.
  const saidUnhealthy = new Map<string, string>();
  const healthPoll = setInterval(() => {
    for (const role of [roles.publisher, roles.projector]) {
      void health(role).then((report) => {
        if (report?.status === 503 && !saidUnhealthy.has(role.role)) saidUnhealthy.set(role.role, report.body.reasons?.[0] ?? "(no reason)");
      });
    }
  }, 1_000);

  const mongo = new MongoClient(scenario.mongodbUrl, { serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 5_000 });
  await mongo.connect();
  t.teardown(() => mongo.close());
  const customers = mongo.db(database).collection<{ _id: string }>("customers");
  /** Polls the read model until it holds every id (or the deadline passes); the ids still missing. */
  const awaitInReadModel = async (ids: string[], deadline: number): Promise<string[]> => {
    let missing = ids;
    while (missing.length > 0 && Date.now() < deadline) {
      await sleep(250);
      const stored = await customers
        .find({}, { projection: { _id: 1 } })
        .toArray()
        .then((documents) => new Set(documents.map((document) => document._id)))
        .catch(() => undefined);
      if (stored) missing = missing.filter((id) => !stored.has(id));
    }
    return missing;
  };

  let healedAt = 0;
  let catchUp: Promise<number | undefined> = Promise.resolve(undefined);
  let resumed: Promise<number | undefined> = Promise.resolve(undefined);
  let createsAtHeal = 0;
  try {
    await sleep(warmMs);
    await fault.inject(roles);
    injectedAt = Date.now();
    faulty = true;
    await sleep(faultMs);
    faulty = false;
    const countAtHeal = await customers.countDocuments().catch(() => 0);
    createsAtHeal = tally.creates;
    await fault.heal(roles);
    healedAt = Date.now();
    resumed = (async () => {
      while (Date.now() - healedAt < catchUpBoundMs) {
        if ((await customers.countDocuments().catch(() => 0)) > countAtHeal) return Date.now() - healedAt;
        await sleep(100);
      }
      return undefined;
    })();
    // The catch-up time: until every create acknowledged by the end of the fault is in the read model.
    const beforeHealing = createdIds();
    catchUp = awaitInReadModel(beforeHealing, healedAt + afterMs + catchUpBoundMs).then((left) => (left.length === 0 ? Date.now() - healedAt : undefined));
    await sleep(afterMs);
  } finally {
    clearInterval(healthPoll);
    await load.stop();
  }
  const loadStoppedAt = Date.now();
  const missing = await awaitInReadModel(createdIds(), loadStoppedAt + catchUpBoundMs);
  const caughtUpMs = await catchUp;
  const resumedMs = await resumed;

  // Then the last updates and addresses too: until the read model is the fold of the store.
  const store = await openedEventStore(dataDir, { ENCRYPTION_KEY: masterKeyHex, KAFKA_BROKERS: scenario.kafkaBrokers, MONGODB_URL: scenario.mongodbUrl, MONGODB_DATABASE: database });
  const readModel = await MongoReadModel.connect(scenario.mongodbUrl, database);
  t.teardown(async () => {
    await readModel.close();
    await store.close();
  });
  // A full comparison reads every document; run back to back it would keep the (slow,
  // single-writer) MongoDB-wire server too busy to take the projector's catch-up writes. So
  // wait for the projector to report no lag first, and compare every few seconds.
  const converging = async () => {
    while (Date.now() < loadStoppedAt + catchUpBoundMs) {
      const lag = ((await health(roles.projector))?.body as { lag?: number } | undefined)?.lag;
      if (lag === 0) return;
      await sleep(1000);
    }
  };
  await converging();
  let report = await checkConvergence(store, readModel);
  while (report.missing.length + report.different.length + report.extra.length > 0 && Date.now() < loadStoppedAt + catchUpBoundMs) {
    await sleep(3000);
    await converging();
    report = await checkConvergence(store, readModel);
  }
  const audit = await auditLoad(tally, store, readModel);

  const sorted = [...tally.latencies].sort((a, b) => a - b);
  const quantile = (q: number, values = sorted) => values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
  const faultSorted = [...duringFault].sort((a, b) => a - b);
  console.error(
    `fault: ${fault.name} for ${faultMs / 1000} s | acknowledged writes ${audit.acknowledged} (${tally.creates} creates, ${tally.updates} updates, ${tally.addresses} addresses), ` +
      `failed ${tally.failures.length}, lost ${audit.lost.length}, duplicated ${audit.duplicated.length}` +
      (audit.reservationsAfterUnansweredWrites.length > 0 ? `, ${audit.reservationsAfterUnansweredWrites.length} reservations left by unanswered writes` : "") +
      " | " +
      (resumedMs === undefined ? "the read model did not grow again" : `the read model grew again ${(resumedMs / 1000).toFixed(1)} s after the fault ended, `) +
      (caughtUpMs === undefined ? "not caught up" : `caught up ${(caughtUpMs / 1000).toFixed(1)} s after`) +
      (missing.length === 0 ? "; nothing missing" : `; ${missing.length} still missing ${catchUpBoundMs / 1000} s after the load stopped`) +
      ` | write latency p50 ${quantile(0.5)} ms, p99 ${quantile(0.99)} ms, max ${sorted.at(-1) ?? 0} ms` +
      `; during the fault p50 ${quantile(0.5, faultSorted)} ms, p99 ${quantile(0.99, faultSorted)} ms` +
      (slowDuringFault.length > 0 ? `, ${slowDuringFault.length} of ${duringFault.length} over 1 s (ending at +${slowDuringFault.slice(0, 12).join(", +")} s)` : ""),
  );

  for (const role of fault.stops) {
    t.ok(saidUnhealthy.get(role), `the ${role} said it was unhealthy during the fault: ${saidUnhealthy.get(role) ?? "it did not"}`);
  }
  for (const role of [roles.publisher, roles.projector]) {
    let report = await health(role);
    const deadline = Date.now() + 30_000;
    while (report?.status !== 200 && Date.now() < deadline) {
      await sleep(500);
      report = await health(role);
    }
    t.equal(report?.status, 200, `the ${role.role} is healthy again after the fault (${JSON.stringify(report?.body)})`);
  }

  if (scenario.resumeBoundMs !== undefined) {
    t.ok(resumedMs !== undefined && resumedMs <= scenario.resumeBoundMs, `the read model grew again within ${scenario.resumeBoundMs / 1000} s of the heal (${resumedMs ?? "never"} ms)`);
  }
  if (fault.downsCommandService) {
    t.ok(tally.creates > createsAtHeal, `writes are answered again once the command service is back (${tally.creates - createsAtHeal} creates)`);
    t.ok(tally.failures.every((failure) => !/: (4\d\d|5\d\d) /.test(failure)), `requests failed only by the connection, never with an error answer (${tally.failures[0] ?? "none failed"})`);
  } else {
    t.same(tally.failures.slice(0, 5), [], `every write was answered 200 (${tally.failures.length} were not)`);
  }
  // The load really ran, with every kind of write (how many depends on how busy the machine is:
  // the shortest scenario, the command service's, saw 94 to 248 creates in CI runs).
  t.ok(tally.creates > 40 && tally.updates > 20 && tally.addresses > 10, `writes of every kind went on through the fault (${tally.creates} creates, ${tally.updates} updates, ${tally.addresses} addresses)`);
  t.same(missing.slice(0, 5), [], `every acknowledged create reached the read model within ${catchUpBoundMs / 1000} s (${missing.length} did not)`);
  t.same(audit.lost.slice(0, 5), [], `no acknowledged write is missing from the event store or the read model (${audit.lost.length} are)`);
  t.same(audit.duplicated.slice(0, 5), [], `no write is there twice (${audit.duplicated.length} are)`);
  t.same(audit.reservations.slice(0, 5), [], `every email is reserved once, by the customer that has it (${audit.reservations.length} are not)`);
  t.same(report.missing.slice(0, 5), [], "the read model misses nothing of the event store");
  t.same(report.different.slice(0, 5), [], "every document equals the fold of its stream");
  t.same(report.extra.slice(0, 5), [], "no document without a stream that makes it");
  t.equal(await customers.countDocuments(), report.expected, "exactly one document per customer");
  if (!t.passing()) for (const role of Object.values(roles)) console.error(`--- ${role.role} output ---\n${role.output().slice(-6000)}`);
}

async function health(role: RoleProcess): Promise<{ status: number; body: { status?: string; reasons?: string[] } } | undefined> {
  try {
    const response = await fetch(role.healthUrl, { signal: AbortSignal.timeout(2_000) });
    return { status: response.status, body: (await response.json()) as { reasons?: string[] } };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
