/**
 * Which of kafkajs's log entries reach the process log at warn or error: what kafkajs retries
 * by itself while a group or topic settles goes below warning, real failures stay where they are.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { logLevel } from "kafkajs";
import t from "tap";
import { type KafkaLogEntry, SETTLING_ERRORS, kafkaLogLevel } from "../../shared/bus/kafkaLogLevel.js";

const entry = (namespace: string, level: logLevel, message: string, error?: string): KafkaLogEntry => ({ namespace, level, log: { message, error } });

t.test("broker answers retried while a group or topic settles: debug", async (t) => {
  const cases: [string, string][] = [
    ["FindCoordinator(key: 10, version: 2)", "The coordinator is loading and hence can't process requests for this group"],
    ["JoinGroup(key: 11, version: 5)", "The group coordinator is not available"],
    ["Heartbeat(key: 12, version: 3)", "The group is rebalancing, so a rejoin is needed"],
    ["OffsetCommit(key: 8, version: 5)", "Specified group generation id is not valid"],
    ["SyncGroup(key: 14, version: 3)", "This is not the correct coordinator for this group"],
    ["ListOffsets(key: 2, version: 3)", "This server does not host this topic-partition"],
    ["Metadata(key: 3, version: 6)", "There is no leader for this topic-partition as we are in the middle of a leadership election"],
    ["Produce(key: 0, version: 7)", "This server is not the leader for that topic-partition"],
  ];
  for (const [request, error] of cases) t.equal(kafkaLogLevel(entry("Connection", logLevel.ERROR, `Response ${request}`, error)), "debug", `${request}: ${error}`);
  t.equal(kafkaLogLevel(entry("Producer", logLevel.ERROR, "Failed to send messages: This server does not host this topic-partition")), "debug", "a send retried after a metadata refresh");
  t.equal(kafkaLogLevel(entry("ConsumerGroup", logLevel.WARN, "Consumer is not aware of all assigned partitions, refreshing metadata")), "debug");
  t.equal(kafkaLogLevel(entry("ConsumerGroup", logLevel.WARN, "Topic has been updated, resync group")), "debug");
});

t.test("a rebalance is info; the limited retries of the idempotent producer debug", async (t) => {
  t.equal(kafkaLogLevel(entry("Runner", logLevel.WARN, "The group is rebalancing, re-joining", "The group is rebalancing, so a rejoin is needed")), "info");
  t.equal(kafkaLogLevel(entry("Producer", logLevel.WARN, "Limiting retries for the idempotent producer may invalidate EoS guarantees")), "debug");
});

t.test("real failures keep kafkajs's level", async (t) => {
  t.equal(kafkaLogLevel(entry("Consumer", logLevel.ERROR, "Crash: KafkaJSNumberOfRetriesExceeded: The group coordinator is not available")), "error", "retries exhausted");
  t.equal(kafkaLogLevel(entry("Connection", logLevel.ERROR, "Connection error: connect ECONNREFUSED 127.0.0.1:9092")), "error", "broker unreachable");
  t.equal(kafkaLogLevel(entry("BrokerPool", logLevel.ERROR, "Failed to connect to seed broker, trying another broker from the list: Connection timeout")), "error");
  t.equal(kafkaLogLevel(entry("Connection", logLevel.ERROR, "Request Produce(key: 0, version: 7)")), "error");
  t.equal(kafkaLogLevel(entry("Connection", logLevel.ERROR, "Response Produce(key: 0, version: 7)", "Topic authorization failed")), "error", "an answer that is not retried");
  t.equal(kafkaLogLevel(entry("Connection", logLevel.ERROR, "Response JoinGroup(key: 11, version: 5)", "The coordinator is not aware of this member")), "error");
  t.equal(kafkaLogLevel(entry("Producer", logLevel.ERROR, "Failed to send messages: Connection timeout")), "error");
  t.equal(kafkaLogLevel(entry("Runner", logLevel.ERROR, "The coordinator is not aware of this member, re-joining the group")), "error");
  t.equal(kafkaLogLevel(entry("ConsumerGroup", logLevel.WARN, "Consumer group received unsubscribed topics")), "warn");
  t.equal(kafkaLogLevel(entry("Admin", logLevel.WARN, "Could not create topics", "This is not the correct controller for this cluster")), "warn");
  t.equal(kafkaLogLevel(entry("Runner", logLevel.WARN, "The group is rebalancing, re-joining, and something else")), "warn", "only the exact messages");
  t.equal(kafkaLogLevel(entry("Heartbeat", logLevel.WARN, "Response Heartbeat(key: 12, version: 3)", "The group is rebalancing, so a rejoin is needed")), "warn", "only from the namespace that logs it");
  t.equal(kafkaLogLevel(entry("Connection", logLevel.INFO, "something informative")), "info");
  t.equal(kafkaLogLevel(entry("Connection", logLevel.DEBUG, "Request Metadata(key: 3, version: 6)")), "debug");
});

t.test("the messages are kafkajs 2.2.4's own", async (t) => {
  // If an upgrade rewords them, the classification would silently stop applying.
  const require = createRequire(import.meta.url);
  const { errorCodes } = require("kafkajs/src/protocol/error.js") as { errorCodes: { type: string; message: string }[] };
  for (const [type, message] of Object.entries(SETTLING_ERRORS)) {
    t.equal(errorCodes.find((code) => code.type === type)?.message, message, type);
  }
  const source = (file: string) => readFileSync(require.resolve(`kafkajs/src/${file}`), "utf8");
  t.match(source("network/connection.js"), "this.logError(`Response ${requestInfo(entry)}`", "a failed answer: 'Response <request>' with the error in `error`");
  t.match(source("network/connection.js"), "this.logger = logger.namespace('Connection')");
  t.match(source("producer/sendMessages.js"), "logger.error(`Failed to send messages: ${e.message}`");
  t.match(source("producer/index.js"), "logger.warn('Limiting retries for the idempotent producer may invalidate EoS guarantees')");
  t.match(source("producer/index.js"), "const logger = rootLogger.namespace('Producer')");
  t.match(source("consumer/runner.js"), "this.logger.warn('The group is rebalancing, re-joining'");
  t.match(source("consumer/runner.js"), "this.logger = logger.namespace('Runner')");
  t.match(source("consumer/consumerGroup.js"), "this.logger.warn('Consumer is not aware of all assigned partitions, refreshing metadata'");
  t.match(source("consumer/consumerGroup.js"), "new KafkaJSStaleTopicMetadataAssignment('Topic has been updated'");
  t.match(source("consumer/consumerGroup.js"), "this.logger.warn(`${e.message}, resync group`");
  t.match(source("consumer/consumerGroup.js"), "this.logger = logger.namespace('ConsumerGroup')");
});
