import { randomUUID } from "node:crypto";
import t from "tap";
import { MongoSessionStore } from "../../shared/sessions/mongodb.js";
import { SessionStoreUnavailable } from "../../shared/sessions/port.js";
import { mongodbUrl, requireServers } from "../support/cluster.js";
import { TcpProxy } from "../support/tcpProxy.js";
import { sessionStoreContract } from "./sessionStore.contract.js";

if (requireServers(t, "MongoDB session-store contract suite", ["mongodb"])) {
  sessionStoreContract(t, async () => {
    const database = `sessions_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const store = await MongoSessionStore.connect(mongodbUrl, database);
    return { store, reopen: () => MongoSessionStore.connect(mongodbUrl, database), cleanup: () => store.close() };
  });

  t.test("a server that stops answering is SessionStoreUnavailable within the timeout, and use resumes after", async (t) => {
    const target = new URL(mongodbUrl);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 27017) });
    t.teardown(() => proxy.close());
    const store = await MongoSessionStore.connect(`mongodb://127.0.0.1:${proxy.port}/?directConnection=true`, `sessions_${randomUUID().slice(0, 8)}`, 1000);
    t.teardown(() => store.close());
    const context = { actor_id: "user_1", actor_type: "user", auth_identity_id: "authid_1", app_metadata: {} };
    await store.save("s-1", context as never, new Date(Date.now() + 60_000));

    for (const fault of [{ kind: "black-hole" }, { kind: "reset" }] as const) {
      proxy.setFault(fault);
      const started = Date.now();
      const error = await store.get("s-1", new Date()).catch((e: unknown) => e);
      t.type(error, SessionStoreUnavailable, `${fault.kind}: the read fails as unavailable`);
      t.ok(Date.now() - started < 5000, `${fault.kind}: within the timeout (${Date.now() - started} ms)`);
      proxy.setFault({ kind: "none" });
      let back: unknown;
      for (let attempt = 0; attempt < 50 && back === undefined; attempt += 1) {
        back = await store.get("s-1", new Date()).catch(() => undefined);
        if (back === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      t.same(back, context, `${fault.kind}: the session is read again once the line is back`);
    }
  });
}
