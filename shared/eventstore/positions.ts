/**
 * Global positions as numbers and in order, whichever store wrote them: SQLite's are its log
 * sequence ("1234"), KurrentDB's its commit and prepare positions ("1234/1230"). Both grow
 * with the log, so the first number is a fair measure of how far into it a position is.
 */
import type { GlobalPosition } from "./port.js";

/** Negative, zero or positive as `a` is before, at or after `b`; no position is before every one. */
export function comparePositions(a: GlobalPosition | undefined, b: GlobalPosition | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const [p, q] = [x[i] ?? 0n, y[i] ?? 0n];
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

/** How far into the log a position is, as a plain number (0 for none). */
export function positionNumber(position: GlobalPosition | undefined): number {
  return position === undefined ? 0 : Number(parts(position)[0] ?? 0n);
}

function parts(position: GlobalPosition): bigint[] {
  return position.split("/").map((part) => BigInt(part));
}
