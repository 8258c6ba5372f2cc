/**
 * Where the publisher remembers how far into the event store's global log it has published.
 * A checkpoint must be exactly as durable as the bus it points into: a durable bus (Kafka)
 * needs a durable checkpoint, while the in-process bus starts empty after a restart and so
 * must its checkpoint, or events would be skipped.
 */
import type { GlobalPosition } from "../eventstore/port.js";

export interface CheckpointStore {
  load(): Promise<GlobalPosition | undefined>;
  save(position: GlobalPosition): Promise<void>;
  /** Lets go of what the store opened (a file, a connection). */
  close(): Promise<void>;
}
