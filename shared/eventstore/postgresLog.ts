/**
 * Reading the PostgreSQL store's global log without ever skipping an event.
 *
 * Positions come from a sequence when a row is inserted, not when its transaction commits:
 * a writer can take position 10, and commit after another writer's position 11 is already
 * read. A reader that moved past 11 would never see 10. So, as Marten, Emmett and Eventuous
 * do, readers only read events whose writing transaction is older than the oldest writer
 * still running (the log's horizon): every writer below that has ended, so nothing can
 * commit there any more. The log is read in (transaction id, position) order: a transaction that
 * commits late has a larger id than any event already read, so it comes after them, never
 * behind a reader's back.
 *
 * Not every running transaction counts, only writers of this log: they announce themselves
 * with a shared advisory lock before they take a transaction id, and the schema's
 * `log_horizon()` waits for those alone (postgresTables.ts, migration 3), so a long
 * transaction elsewhere on the server (a report, a forgotten `BEGIN` in psql) holds no
 * reader back. The price: an event is readable once the appends that started before its own
 * have ended, which for appends of one statement is milliseconds. Readers here wait a little
 * for appends already running, so a caller that just wrote reads its own write (`settle`).
 */
import type pg from "pg";
import { identifier } from "../postgres/connect.js";
import type { RecordedEvent } from "./port.js";
import { type LogPoint, decodePosition, encodePosition } from "./postgresPositions.js";

interface EventRow {
  position: string;
  /** The writing transaction's id, as text (xid8 has no JavaScript type). */
  writer: string;
  stream: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: unknown;
  recorded_at: Date;
}

/** One read of the log, with the horizon it was read below. */
export interface LogPage {
  events: RecordedEvent[];
  /** The oldest append running when read: events of it and later ones were not read. */
  horizon: string;
  /** Transactions from here on had not started when read. */
  next: string;
}

// The transaction id comes out as text under a name of its own: an ORDER BY names output
// columns first, and one called transaction_id would sort the log as text ("10000" before "9999").
const COLUMNS = "position, transaction_id::text AS writer, stream, revision, type, data, metadata, recorded_at";

export function logStatements(schema: string) {
  const s = identifier(schema);
  // The stream prefixes as LIKE patterns, in parameter $n; an empty array matches every stream.
  const streams = (n: number) => `(cardinality($${n}::text[]) = 0 OR stream LIKE ANY ($${n}::text[]))`;
  const statement = (name: string, text: string) => (values: unknown[]): pg.QueryConfig => ({ name: `${schema}:${name}`, text, values });
  return {
    /** Events after ($1, $2) below the horizon, at most $3, with the horizon and the snapshot's end. */
    page: statement(
      "log-page",
      `SELECT h.horizon::text AS horizon, h.next::text AS next, e.*
       FROM (SELECT ${s}.log_horizon(pg_current_snapshot()) AS horizon, pg_snapshot_xmax(pg_current_snapshot()) AS next) h
       LEFT JOIN LATERAL (
         SELECT ${COLUMNS} FROM ${s}.events
         WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND transaction_id < h.horizon AND ${streams(4)}
         ORDER BY transaction_id, position
         LIMIT $3
       ) e ON true`,
    ),
    /** Whether events after ($1, $2) were committed by transactions in [$4, $5): held back by the horizon. */
    heldBack: statement(
      "log-held-back",
      `SELECT EXISTS (
         SELECT 1 FROM ${s}.events
         WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND transaction_id >= $4::xid8 AND transaction_id < $5::xid8 AND ${streams(3)}
       ) AS held_back`,
    ),
    /** The newest event below the horizon. */
    newest: statement(
      "log-newest",
      `SELECT h.horizon::text AS horizon, h.next::text AS next, e.*
       FROM (SELECT ${s}.log_horizon(pg_current_snapshot()) AS horizon, pg_snapshot_xmax(pg_current_snapshot()) AS next) h
       LEFT JOIN LATERAL (
         SELECT ${COLUMNS} FROM ${s}.events
         WHERE transaction_id < h.horizon AND ${streams(1)}
         ORDER BY transaction_id DESC, position DESC
         LIMIT 1
       ) e ON true`,
    ),
    /**
     * Whether events after ($1, $2) are committed but behind the horizon, and the writing
     * transaction that sets the horizon (what holds them back), if this role may see it.
     */
    heldBackBy: statement(
      "log-held-back-by",
      `WITH h AS (SELECT ${s}.log_horizon(pg_current_snapshot()) AS horizon)
       SELECT EXISTS (
         SELECT 1 FROM ${s}.events, h
         WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND transaction_id >= h.horizon AND ${streams(3)}
       ) AS held_back,
       (SELECT json_build_object('pid', a.pid, 'application_name', a.application_name, 'database', a.datname, 'state', a.state, 'since', a.xact_start)
          FROM pg_stat_activity a, h WHERE a.backend_xid = h.horizon::xid LIMIT 1) AS holder`,
    ),
    stream: statement("read-stream", `SELECT ${COLUMNS} FROM ${s}.events WHERE stream = $1 AND revision >= $2 ORDER BY revision LIMIT $3`),
    revision: statement("stream-revision", `SELECT revision FROM ${s}.streams WHERE stream = $1`),
  };
}

export type LogStatements = ReturnType<typeof logStatements>;

/** Stream prefixes as LIKE patterns (their own %, _ and \ escaped). */
export function prefixPatterns(prefixes: string[] = []): string[] {
  return prefixes.map((prefix) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

/** The events readable after `after`, at most `maxCount`. */
export async function readPage(pool: pg.Pool, sql: LogStatements, after: LogPoint, patterns: string[], maxCount: number): Promise<LogPage> {
  const { rows } = await pool.query<EventRow & { horizon: string; next: string }>(sql.page([after.transactionId, after.position, maxCount, patterns]));
  const first = rows[0]!;
  return { horizon: first.horizon, next: first.next, events: rows.filter((row) => row.position !== null).map(toRecordedEvent) };
}

/**
 * Whether events after `after` wait behind the horizon of `page`, written by transactions
 * that had started when it was read (later ones are new events, not held back).
 */
export async function isHeldBack(pool: pg.Pool, sql: LogStatements, after: LogPoint, patterns: string[], page: Pick<LogPage, "horizon" | "next">): Promise<boolean> {
  const { rows } = await pool.query<{ held_back: boolean }>(sql.heldBack([after.transactionId, after.position, patterns, page.horizon, page.next]));
  return rows[0]!.held_back;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    stream: row.stream,
    revision: Number(row.revision),
    position: encodePosition({ transactionId: row.writer, position: row.position }),
    type: row.type,
    data: row.data,
    metadata: row.metadata as RecordedEvent["metadata"],
    recorded_at: row.recorded_at.toISOString(),
  };
}

export function pointOf(event: RecordedEvent): LogPoint {
  return decodePosition(event.position);
}
