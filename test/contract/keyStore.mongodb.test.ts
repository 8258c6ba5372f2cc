import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import t from "tap";
import { MongoKeyRecords } from "../../shared/keystore/mongodb.js";
import { mongodbUrl, requireServers } from "../support/cluster.js";
import { keyStoreContract } from "./keyStore.contract.js";

if (requireServers(t, "MongoDB key-store contract suite", ["mongodb"])) {
  keyStoreContract(t, async () => {
    const database = `keys_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const clients: MongoClient[] = [];
    const open = async () => {
      const client = await MongoClient.connect(mongodbUrl, { serverSelectionTimeoutMS: 5000 });
      clients.push(client);
      return new MongoKeyRecords(client.db(database));
    };
    return {
      records: await open(),
      reopen: open,
      cleanup: async () => {
        await clients[0]!.db(database).dropDatabase();
        for (const client of clients) await client.close();
      },
    };
  });
}
