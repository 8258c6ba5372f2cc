/**
 * Global positions of the PostgreSQL event store: "<transaction id>/<position>". The log is
 * read in that order (postgresLog.ts says why the writing transaction comes first), and
 * positions.ts compares such pairs part by part, so callers keep comparing positions as
 * they do for the other stores.
 */
import type { GlobalPosition } from "./port.js";

export interface LogPoint {
  transactionId: string;
  position: string;
}

/** Before every event: transaction ids and positions both start above 0. */
export const LOG_START: LogPoint = { transactionId: "0", position: "0" };

export function encodePosition(point: LogPoint): GlobalPosition {
  return `${point.transactionId}/${point.position}`;
}

export function decodePosition(position: GlobalPosition | undefined): LogPoint {
  if (position === undefined) return LOG_START;
  const match = /^(\d{1,20})\/(\d{1,19})$/.exec(position);
  if (!match) throw new Error(`"${position}" is not a position in a PostgreSQL event store (expected <transaction id>/<position>)`);
  return { transactionId: match[1]!, position: match[2]! };
}
