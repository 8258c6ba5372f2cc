/**
 * The embedded service (npm start's one process) killed with SIGKILL under a mixed load and
 * started again on the same data: every acknowledged write is in the event store exactly
 * once and shown by the restarted service, a write that got no answer happened at most once,
 * and every email is reserved by the customer that has it.
 */
import t from "tap";
import { signAdminToken } from "../../shared/auth/adminToken.js";
import type { CustomerDocument } from "../../shared/readmodel/customerDocument.js";
import type { CustomerReadModel } from "../../shared/readmodel/port.js";
import { auditLoad, startMixedLoad } from "../support/mixedLoad.js";
import { openedEventStore } from "../support/openedStore.js";
import { RoleProcess, freePort } from "../../shared/runtime/roleProcess.js";
import { oneLoadAtATime } from "../support/oneLoadAtATime.js";
import { makeDataDir } from "../support/service.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test("the embedded service killed with requests in flight and restarted: nothing acknowledged is lost", async (t) => {
  await oneLoadAtATime(t);
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const secret = "embedded-fault-secret";
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const service = new RoleProcess(
    "command",
    { NODE_ENV: "production", LOG_LEVEL: "warn", HOST: "127.0.0.1", PORT: String(port), JWT_SECRET: secret, ENCRYPTION_KEY: "5a".repeat(32), DATA_DIR: data.dir, KAFKA_BROKERS: "", MONGODB_URL: "", KURRENTDB_URL: "", POSTGRES_URL: "" },
    `${baseUrl}/health`,
  );
  await service.start();
  t.teardown(() => service.kill());
  const authorization = `Bearer ${signAdminToken({ secret, actorId: "user_embedded", now: new Date(), expiresInSeconds: 600 })}`;
  const load = startMixedLoad({ baseUrl, authorization, run: "embedded", clients: 8, hungMs: 30_000 });

  await sleep(4_000);
  await service.kill("SIGKILL");
  const atKill = load.tally.creates + load.tally.updates + load.tally.addresses;
  await sleep(1_000);
  await service.start();
  await sleep(3_000);
  await load.stop();
  const { tally } = load;
  const afterRestart = tally.creates + tally.updates + tally.addresses - atKill;
  t.ok(afterRestart > 20, `writes are answered again after the restart (${afterRestart})`);
  t.ok(tally.failures.every((failure) => !/: (4\d\d|5\d\d) /.test(failure)), `requests failed only by the connection (${tally.failures[0] ?? "none failed"})`);

  // The restarted service's own answers are the read model under audit.
  const served = {
    async getMany(ids: string[]) {
      const found = new Map<string, CustomerDocument>();
      for (const id of ids) {
        const response = await fetch(`${baseUrl}/admin/customers/${id}?fields=id,email,first_name,*addresses`, { headers: { authorization } });
        if (response.status === 200) found.set(id, ((await response.json()) as { customer: CustomerDocument }).customer);
      }
      return found;
    },
  };
  const store = await openedEventStore(data.dir, { ENCRYPTION_KEY: "5a".repeat(32) });
  t.teardown(() => store.close());
  const audit = await auditLoad(tally, store, { customers: served } as unknown as CustomerReadModel);
  console.error(
    `fault: embedded service killed (SIGKILL), restarted | acknowledged writes ${audit.acknowledged} (${tally.creates} creates, ${tally.updates} updates, ${tally.addresses} addresses), ` +
      `unanswered ${tally.failures.length}, lost ${audit.lost.length}, duplicated ${audit.duplicated.length}, ` +
      `${audit.reservationsAfterUnansweredWrites.length} reservations left by unanswered writes`,
  );
  t.ok(tally.creates > 50, `the load ran (${audit.acknowledged} acknowledged writes)`);
  t.same(audit.lost.slice(0, 5), [], `no acknowledged write is lost (${audit.lost.length} are)`);
  t.same(audit.duplicated.slice(0, 5), [], `no write is there twice (${audit.duplicated.length} are)`);
  t.same(audit.reservations.slice(0, 5), [], `every email is reserved once, by the customer that has it (${audit.reservations.length} are not)`);
});
