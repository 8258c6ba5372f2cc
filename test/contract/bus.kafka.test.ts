import t from "tap";
import { KafkaBus } from "../../shared/bus/kafka.js";
import { silentLogger } from "../../shared/logger.js";
import { kafkaBrokers, requireServers } from "../support/cluster.js";
import { busContract } from "./bus.contract.js";

if (requireServers(t, "Kafka bus contract suite", ["kafka"])) {
  busContract(t, async () => {
    const bus = new KafkaBus({ brokers: kafkaBrokers, clientId: "contract", partitions: 3, replicationFactor: 1, logger: silentLogger, retryDelayMs: 100 });
    return { bus, prepareTopic: (topic) => bus.ensureTopics([topic]), cleanup: () => bus.close() };
  });
}
