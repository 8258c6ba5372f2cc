import t from "tap";
import { InProcessBus } from "../../shared/bus/inProcess.js";
import { busContract } from "./bus.contract.js";

busContract(t, async () => {
  const bus = new InProcessBus();
  return { bus, cleanup: () => bus.close() };
});
