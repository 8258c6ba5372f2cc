/**
 * The functions the read model's SQL calls, registered on every connection that runs its
 * queries (the writer's and each reader thread's).
 */
import type Database from "better-sqlite3";
import { compiledPattern } from "./pattern.js";

export function registerReadModelFunctions(db: Database.Database): void {
  // `$regex` in RE2 (pattern.ts): SQLite's own REGEXP is not built in, and would not be RE2.
  db.function("re2_match", { deterministic: true }, (pattern: unknown, ignoreCase: unknown, value: unknown) =>
    typeof value === "string" && compiledPattern(String(pattern), ignoreCase === 1).test(value) ? 1 : 0,
  );
}
