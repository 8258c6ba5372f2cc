/**
 * Events as the stores write them: data and metadata as JSON text, made once, before anything
 * is sent or queued. A value JSON cannot hold (a BigInt, a cycle, a function or undefined in
 * place of an object) is refused here, for that append alone: in the embedded store it would
 * otherwise fail a whole group commit of other requests' appends, and inside the KurrentDB
 * client it throws where no one catches it, so the append would never settle.
 */
import type { EventToAppend } from "./port.js";

/** Event data or metadata that cannot be written as JSON: a bug in the caller, never retried. */
export class UnserialisableEvent extends Error {
  override readonly name = "UnserialisableEvent";
}

export interface SerialisedEvent {
  type: string;
  /** JSON text. */
  data: string;
  /** JSON text. */
  metadata: string;
  event_id: string;
}

export function serialiseEvent(stream: string, event: EventToAppend): SerialisedEvent {
  return {
    type: event.type,
    data: jsonText(event.data, `the data of a ${event.type} event for ${stream}`),
    metadata: jsonText(event.metadata, `the metadata of a ${event.type} event for ${stream}`),
    event_id: event.metadata.event_id,
  };
}

function jsonText(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new UnserialisableEvent(`${what} cannot be written as JSON: ${(error as Error).message}`);
  }
  if (text === undefined || !(typeof value === "object" && value !== null)) throw new UnserialisableEvent(`${what} is not a JSON object`);
  return text;
}
