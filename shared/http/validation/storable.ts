/**
 * Values that pass the schema but could not be stored or served back safely: NUL
 * characters (rejected by PostgreSQL, where Medusa then answers 500) and JSON nested
 * deeper than any real metadata needs. Walked iteratively, so a hostile body cannot
 * exhaust the stack.
 */
import type { Path } from "./issues.js";

export const MAX_NESTING = 32;

export function findUnstorableValue(value: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: Path; depth: number }> = [{ value, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === "string") {
      if (current.includes("\u0000")) return `Value for field '${path.join(", ")}' contains a NUL character, which cannot be stored`;
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (depth > MAX_NESTING) return `Value for field '${path.slice(0, 1).join(", ")}' is nested more than ${MAX_NESTING} levels deep`;
    for (const [key, item] of Object.entries(current)) {
      if (key.includes("\u0000")) return `Key in field '${path.join(", ")}' contains a NUL character, which cannot be stored`;
      stack.push({ value: item, path: [...path, Array.isArray(current) ? Number(key) : key], depth: depth + 1 });
    }
  }
  return undefined;
}
