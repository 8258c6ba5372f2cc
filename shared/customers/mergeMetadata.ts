import type { Metadata } from "./customer.js";

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
