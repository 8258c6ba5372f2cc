import { randomUUID } from "node:crypto";
import t from "tap";
import { MongoSessionStore } from "../../shared/sessions/mongodb.js";
import { mongodbUrl, requireServers } from "../support/cluster.js";
import { sessionStoreContract } from "./sessionStore.contract.js";

if (requireServers(t, "MongoDB session-store contract suite", ["mongodb"])) {
  sessionStoreContract(t, async () => {
    const database = `sessions_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const store = await MongoSessionStore.connect(mongodbUrl, database);
    return { store, reopen: () => MongoSessionStore.connect(mongodbUrl, database), cleanup: () => store.close() };
  });
}
