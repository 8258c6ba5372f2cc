/**
 * Medusa's `normalizeQuery`: a one-element array of text is split on commas
 * (`email[]=a,b` -> ["a", "b"]) and `a.b=v` becomes `{a: {b: v}}`. Deeper dot keys are
 * refused; Medusa answers those with a 500, this service with a 400 (see README).
 */
import { MedusaError } from "../errors.js";

export function normalizeQuery(query: Record<string, unknown>): Record<string, unknown> {
  const normalized: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(query)) {
    const value = Array.isArray(raw) && raw.length === 1 && typeof raw[0] === "string" ? raw[0].split(",") : raw;
    if (!key.includes(".")) {
      normalized[key] = value;
      continue;
    }
    const [parent, child, ...deeper] = key.split(".") as [string, string, ...string[]];
    if (deeper.length > 0) throw new MedusaError("invalid_data", `Key accessor more than 2 levels deep: ${key}`);
    const existing = normalized[parent];
    normalized[parent] = { ...(existing !== null && typeof existing === "object" ? existing : {}), [child]: value };
  }
  return normalized;
}
