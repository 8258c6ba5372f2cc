/**
 * The patterns of the read model's `$regex` (the list routes' `$re`, `$like`, `$ilike`,
 * `$contains` and `q`): RE2 syntax, matched by re2js in time linear in the text, so that no
 * pattern a client sends can make a list backtrack for minutes. RE2 has no backreferences or
 * lookaround; everything else it accepts, MongoDB's engine accepts too (and FerretDB's is Go's
 * regexp, RE2 itself). re2js is pure JavaScript: the native `re2` package fetches a prebuilt
 * binary at install, or compiles RE2 from source.
 */
import { RE2JS } from "re2js";

/** Long enough for any search an admin screen makes; short enough to keep compiling cheap. */
export const MAX_PATTERN_LENGTH = 256;

export class InvalidPattern extends Error {
  override readonly name = "InvalidPattern";
}

/** Throws InvalidPattern, saying why, unless `source` is a pattern the read models accept. */
export function checkPattern(source: string): void {
  if (source.length > MAX_PATTERN_LENGTH) throw new InvalidPattern(`it is longer than ${MAX_PATTERN_LENGTH} characters`);
  compiledPattern(source, false);
}

export interface Pattern {
  test(text: string): boolean;
}

/** Compiled patterns, so that a list does not compile one per document it scans. */
const compiled = new Map<string, Pattern>();
const MAX_COMPILED = 1000;

/**
 * Escaped literals only (what `q` and `$contains` send): nothing to backtrack over, so
 * JavaScript's own engine, about three times faster on them, runs these in linear time too.
 */
const LITERAL = /^(?:[^\\.*+?()[\]{}|^$]|\\[^a-zA-Z0-9])*$/;

export function compiledPattern(source: string, caseInsensitive: boolean): Pattern {
  const key = `${caseInsensitive ? "i" : "-"}${source}`;
  let pattern = compiled.get(key);
  if (!pattern) {
    try {
      pattern = LITERAL.test(source) ? new RegExp(source, caseInsensitive ? "i" : "") : RE2JS.compile(source, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
    } catch (error) {
      throw new InvalidPattern((error as Error).message.replace(/^error parsing regexp: /, ""));
    }
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, pattern);
  }
  return pattern;
}
