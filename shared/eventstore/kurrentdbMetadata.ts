/**
 * KurrentDB's write across several streams (multiStreamAppend, server 25.1) takes an event's
 * metadata only as string properties, and readers get them back as a flat JSON object of
 * strings, with the server's own entries ("$schema.name", "$schema.data-format", trace ids)
 * beside them. So the port's metadata is written there flattened (nested objects as dotted
 * names, numbers as decimal text) and turned back into the port's shape when read; metadata
 * written by a single-stream append keeps its JSON shape and is read as it is.
 */
import type { EventMetadata } from "./port.js";

/** The metadata fields that are numbers; every other leaf is a string. */
const NUMBERS = new Set(["schema_version"]);

export function toMetadataProperties(metadata: EventMetadata): Record<string, string> {
  const properties: Record<string, string> = {};
  const flatten = (value: unknown, name: string) => {
    if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) flatten(inner, name ? `${name}.${key}` : key);
    } else if (value !== undefined) {
      properties[name] = typeof value === "string" ? value : String(value);
    }
  };
  flatten(metadata, "");
  return properties;
}

/** The port's metadata from what KurrentDB returns, in either form. */
export function fromStoredMetadata(stored: unknown): EventMetadata {
  if (stored === null || typeof stored !== "object" || !isFlattened(stored as Record<string, unknown>)) return stored as EventMetadata;
  const metadata: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(stored as Record<string, string>)) {
    if (name.startsWith("$")) continue;
    const path = name.split(".");
    let target = metadata;
    for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    const leaf = path.at(-1)!;
    target[leaf] = NUMBERS.has(name) ? Number(value) : value;
  }
  return metadata as unknown as EventMetadata;
}

/** Written flattened: the actor's id is a property of its own rather than an object's field. */
function isFlattened(stored: Record<string, unknown>): boolean {
  return typeof stored["actor.id"] === "string";
}
