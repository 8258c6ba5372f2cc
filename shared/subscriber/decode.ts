/**
 * A message of the events topic as a typed event: parsed, checked against the JSON Schema of
 * its type and version (the same TypeBox schemas the service writes with), and upcast to the
 * current version. What cannot be read is said, never thrown.
 */
import { Compile } from "typebox/compile";
import { PUBLISHED_EVENTS } from "../events/catalogue.js";
import { envelopeTypeBox } from "../events/eventSchemas.js";
import { isSealedData, withheldPersonalData } from "../events/personalData.js";
import { upcast } from "../events/upcasting.js";
import type { SubscribedEvent } from "./events.js";

export type Decoded =
  | { kind: "event"; event: SubscribedEvent }
  /** A type, or a version of one, this code does not know: written by a newer service. */
  | { kind: "unknown"; type: string; version: number; eventId: string | undefined }
  /** Not an event this contract can describe: not JSON, not an envelope, or not matching its schema. */
  | { kind: "invalid"; reason: string };

const validators = new Map(PUBLISHED_EVENTS.map((entry) => [`${entry.type}:${entry.version}`, Compile(envelopeTypeBox(entry))]));

export function decodeEvent(value: string): Decoded {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return { kind: "invalid", reason: `not JSON (${(error as Error).message})` };
  }
  const envelope = parsed as { type?: unknown; schema_version?: unknown; event_id?: unknown };
  if (typeof envelope !== "object" || envelope === null || typeof envelope.type !== "string" || !Number.isInteger(envelope.schema_version)) {
    return { kind: "invalid", reason: "not an event envelope (no `type` or `schema_version`)" };
  }
  const version = envelope.schema_version as number;
  const validator = validators.get(`${envelope.type}:${version}`);
  if (!validator) return { kind: "unknown", type: envelope.type, version, eventId: typeof envelope.event_id === "string" ? envelope.event_id : undefined };
  if (!validator.Check(parsed)) {
    const problems = [...validator.Errors(parsed)].slice(0, 3).map((error) => `${error.instancePath || "/"} ${error.message}`);
    return { kind: "invalid", reason: `${envelope.type} v${version} does not match its schema: ${problems.join("; ")}` };
  }
  return { kind: "event", event: upcast(parsed as SubscribedEvent & { schema_version: number }) };
}

/**
 * The message value with its personal fields opened by `open` (with the key store:
 * shared/eventstore/sealing.ts `openSealedData`), or, without it, withheld (null): on the topic
 * they travel sealed under each customer's key.
 */
export async function openedValue(value: string, open?: (type: string, data: unknown) => Promise<unknown>): Promise<string> {
  let parsed: { type?: unknown; data?: unknown };
  try {
    parsed = JSON.parse(value) as typeof parsed;
  } catch {
    return value;
  }
  if (typeof parsed !== "object" || parsed === null || !isSealedData(parsed.data) || typeof parsed.type !== "string") return value;
  return JSON.stringify({ ...parsed, data: open ? await open(parsed.type, parsed.data) : withheldPersonalData(parsed.data) });
}
