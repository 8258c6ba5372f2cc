/**
 * Values that pass the schema but could not be stored or served back safely: NUL
 * characters (rejected by PostgreSQL, where Medusa then answers 500), lone UTF-16
 * surrogates (JSON's `"\ud800"`: not text, and no valid UTF-8 can carry them back) and JSON
 * nested deeper than any real metadata needs. Walked iteratively, so a hostile body cannot
 * exhaust the stack.
 */
import type { Path } from "./issues.js";

export const MAX_NESTING = 32;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function problemWithText(text: string): string | undefined {
  if (text.includes("\u0000")) return "contains a NUL character, which cannot be stored";
  if (LONE_SURROGATE.test(text)) return "contains a lone surrogate (\\ud800-\\udfff), which is not text";
  return undefined;
}

export function findUnstorableValue(value: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: Path; depth: number }> = [{ value, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === "string") {
      const problem = problemWithText(current);
      if (problem) return `Value for field '${path.join(", ")}' ${problem}`;
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (depth > MAX_NESTING) return `Value for field '${path.slice(0, 1).join(", ")}' is nested more than ${MAX_NESTING} levels deep`;
    for (const [key, item] of Object.entries(current)) {
      const problem = problemWithText(key);
      if (problem) return `Key in field '${path.join(", ")}' ${problem}`;
      stack.push({ value: item, path: [...path, Array.isArray(current) ? Number(key) : key], depth: depth + 1 });
    }
  }
  return undefined;
}
