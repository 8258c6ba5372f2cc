/**
 * Metadata, the free-form JSON object customers, addresses and groups carry: Medusa's merge
 * on update, and the bounds this service keeps it to. Every metadata object is also stored
 * in a read-model document and in the states the command service caches, so it is bounded
 * with a clear message well before MongoDB's 16 MiB document limit; the bound is checked on
 * what a change would produce (after the merge), so repeated small updates cannot grow past it.
 */
import { LimitExceeded } from "./errors.js";

export type Metadata = Record<string, unknown>;

/** One metadata object, as UTF-8 JSON. */
export const METADATA_MAX_BYTES = 64 * 1024;
/** One key, at any depth of a metadata object. */
export const METADATA_KEY_MAX_LENGTH = 256;

export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");

/**
 * Medusa's metadata update (`mergeMetadata`): a shallow merge into the stored object where
 * a key sent as "" is deleted; null replaces the whole metadata with null; undefined or an
 * empty object changes nothing. Keys such as `__proto__` and `constructor` are plain keys.
 */
export function mergeMetadata(current: Metadata | null, update: Metadata | null | undefined): Metadata | null {
  if (update === undefined) return current;
  if (update === null) return null;
  if (Object.keys(update).length === 0) return current;
  const merged: Metadata = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(update)) {
    if (value === "") delete merged[key];
    // Defined, not assigned: a key named "__proto__" is data like any other, never a prototype.
    else Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

/** Throws LimitExceeded when `metadata` (as it would be stored) is over a limit. */
export function checkMetadata(field: string, metadata: unknown): void {
  checkMetadataKeys(field, metadata);
  if (metadata === null || metadata === undefined) return;
  const bytes = jsonBytes(metadata);
  if (bytes > METADATA_MAX_BYTES) {
    throw new LimitExceeded(`Value for field '${field}' too big, expected at most: '${METADATA_MAX_BYTES}' bytes as JSON, got: '${bytes}'`);
  }
}

/**
 * Throws LimitExceeded when a key at any depth is too long. Checked on an update as sent too,
 * not only on the merged result: a key sent to be removed (`"key": ""`) is refused the same way.
 */
export function checkMetadataKeys(field: string, metadata: unknown): void {
  const stack: unknown[] = [metadata];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== "object") continue;
    for (const [key, value] of Object.entries(current)) {
      if (!Array.isArray(current) && key.length > METADATA_KEY_MAX_LENGTH) {
        throw new LimitExceeded(`Key in field '${field}' too long, expected at most: '${METADATA_KEY_MAX_LENGTH}' characters`);
      }
      stack.push(value);
    }
  }
}
