import t from "tap";
import { InMemoryReadModel } from "../../shared/readmodel/inMemory.js";
import { readModelContract } from "./readModel.contract.js";

readModelContract(t, async () => {
  const readModel = new InMemoryReadModel();
  return { readModel, cleanup: () => readModel.close() };
});
