/**
 * The level at which one of kafkajs's log entries is written to the process log.
 *
 * kafkajs logs at warn or error the broker's answers it retries by itself: while a new
 * broker loads its group coordinator, while a group rebalances (a member joining or leaving),
 * while a topic just created gets its leaders. On a healthy start they are noise; they are
 * written at debug (the protocol answers) or info (a rebalance). What kafkajs cannot ride out
 * still surfaces at warn or error: retries exhausted end in a consumer's "Crash: ..." or a
 * failed send (and the bus's own warning), an unreachable broker in "Connection error",
 * anything else as kafkajs logs it.
 */
import { type LogEntry, logLevel } from "kafkajs";

export type KafkaLogLevel = "debug" | "info" | "warn" | "error";

/**
 * Protocol errors of kafkajs 2.2.4 (src/protocol/error.js) that a broker answers while a
 * group or a topic settles, each retried by kafkajs (or answered by rejoining the group).
 */
export const SETTLING_ERRORS: Readonly<Record<string, string>> = {
  GROUP_LOAD_IN_PROGRESS: "The coordinator is loading and hence can't process requests for this group",
  GROUP_COORDINATOR_NOT_AVAILABLE: "The group coordinator is not available",
  NOT_COORDINATOR_FOR_GROUP: "This is not the correct coordinator for this group",
  REBALANCE_IN_PROGRESS: "The group is rebalancing, so a rejoin is needed",
  ILLEGAL_GENERATION: "Specified group generation id is not valid",
  UNKNOWN_TOPIC_OR_PARTITION: "This server does not host this topic-partition",
  LEADER_NOT_AVAILABLE: "There is no leader for this topic-partition as we are in the middle of a leadership election",
  NOT_LEADER_FOR_PARTITION: "This server is not the leader for that topic-partition",
};

const settling = new Set(Object.values(SETTLING_ERRORS));
const isSettling = (error: unknown): boolean => typeof error === "string" && settling.has(error);

/** The entry in the shape kafkajs hands to a logCreator (only what is read here). */
export type KafkaLogEntry = Pick<LogEntry, "namespace" | "level"> & { log: { message: string; error?: unknown } };

export function kafkaLogLevel({ namespace, level, log }: KafkaLogEntry): KafkaLogLevel {
  const { message, error } = log;
  // One line per broker answer, with the error's text in `error`: "Response Heartbeat(key: 12, version: 3)".
  if (namespace === "Connection" && message.startsWith("Response ") && isSettling(error)) return "debug";
  // A send retried after refreshing the topic's metadata (the publish fails, and says so, once retries run out).
  if (namespace === "Producer" && message.startsWith("Failed to send messages: ") && isSettling(message.slice("Failed to send messages: ".length))) return "debug";
  // Printed for every producer made here: its retries are limited on purpose (see kafka.ts).
  if (namespace === "Producer" && message === "Limiting retries for the idempotent producer may invalidate EoS guarantees") return "debug";
  // The consumer rejoins its group: each member does once whenever another joins or leaves.
  if (namespace === "Runner" && message === "The group is rebalancing, re-joining") return "info";
  // A member assigned a partition of a topic created moments ago refreshes its metadata.
  if (namespace === "ConsumerGroup" && (message === "Consumer is not aware of all assigned partitions, refreshing metadata" || message === "Topic has been updated, resync group")) return "debug";
  if (level <= logLevel.ERROR) return "error";
  if (level === logLevel.WARN) return "warn";
  return level === logLevel.INFO ? "info" : "debug";
}
