import type { GlobalPosition } from "../eventstore/port.js";
import type { CheckpointStore } from "./port.js";

/** For the in-process bus, which is as short-lived as this checkpoint. */
export class InMemoryCheckpointStore implements CheckpointStore {
  #position: GlobalPosition | undefined;

  async load(): Promise<GlobalPosition | undefined> {
    return this.#position;
  }

  async save(position: GlobalPosition): Promise<void> {
    this.#position = position;
  }

  async close(): Promise<void> {}
}
