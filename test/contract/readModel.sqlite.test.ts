import { join } from "node:path";
import t from "tap";
import { SqliteReadModel } from "../../shared/readmodel/sqlite.js";
import { makeDataDir } from "../support/service.js";
import { readModelContract } from "./readModel.contract.js";

readModelContract(t, async () => {
  const data = makeDataDir();
  const readModel = new SqliteReadModel(join(data.dir, "readmodel.sqlite"));
  return {
    readModel,
    cleanup: async () => {
      await readModel.close();
      data.remove();
    },
  };
});

t.test("documents outlive the process: a new read model on the same file has them", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  const file = join(data.dir, "readmodel.sqlite");
  const first = new SqliteReadModel(file);
  const { customerDocument } = await import("../support/documents.js");
  const document = customerDocument({ id: "cus_durable", metadata: { a: 1 } });
  await first.customers.save([{ document, previousRevision: null }]);
  await first.close();
  const second = new SqliteReadModel(file);
  t.teardown(() => second.close());
  t.same(await second.customers.get("cus_durable"), document);
});
