/**
 * How the PostgreSQL store writes one caller's append (one stream, or several at once): one
 * transaction that first claims each stream's row in `streams` at its expected revision,
 * then inserts the events, then notifies followers, who hear of it when it commits.
 *
 * The claims are made in the streams' name order, whatever order the caller gave: two
 * writes that share streams then lock them in the same order and cannot deadlock. A claim
 * that fails (the stream is not where the write expected) rolls everything back.
 */
import type pg from "pg";
import { identifier } from "../postgres/connect.js";
import type { SerialisedEvent } from "./eventJson.js";
import type { AppendResult, ExpectedRevision } from "./port.js";
import { WrongExpectedRevision } from "./port.js";
import { encodePosition } from "./postgresPositions.js";

export interface PostgresPart {
  stream: string;
  events: SerialisedEvent[];
  expectedRevision: ExpectedRevision;
}

/** The SQL of one schema's appends, made once: named, so each connection prepares them once. */
export function appendStatements(schema: string, channel: string) {
  const s = identifier(schema);
  const statement = (name: string, text: string) => (values: unknown[]): pg.QueryConfig => ({ name: `${schema}:${name}`, text, values });
  return {
    /** Answers the new revision when the stream did not exist; no row when it did. */
    createStream: statement("create-stream", `INSERT INTO ${s}.streams (stream, revision) VALUES ($1, $2) ON CONFLICT (stream) DO NOTHING RETURNING revision`),
    /** Answers the new revision when the stream was at $3; no row otherwise. */
    advanceFrom: statement("advance-from", `UPDATE ${s}.streams SET revision = revision + $2 WHERE stream = $1 AND revision = $3 RETURNING revision`),
    /** Answers the new revision when the stream exists; no row otherwise. */
    advanceExisting: statement("advance-existing", `UPDATE ${s}.streams SET revision = revision + $2 WHERE stream = $1 RETURNING revision`),
    /** Answers the new revision, creating the stream when needed. */
    advanceAny: statement(
      "advance-any",
      `INSERT INTO ${s}.streams (stream, revision) VALUES ($1, $2 - 1) ON CONFLICT (stream) DO UPDATE SET revision = streams.revision + $2 RETURNING revision`,
    ),
    /** The stream's revision as this transaction sees it, locked against writers until it ends. */
    current: statement("current", `SELECT revision FROM ${s}.streams WHERE stream = $1 FOR SHARE`),
    insertEvents: statement(
      "insert-events",
      `INSERT INTO ${s}.events (stream, revision, type, data, metadata)
       SELECT stream, revision, type, data::json, metadata::json
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e(stream, revision, type, data, metadata, n)
       ORDER BY n
       RETURNING position, transaction_id::text AS transaction_id`,
    ),
    notify: statement("notify", `SELECT pg_notify('${channel}', '')`),
  };
}

type Statements = ReturnType<typeof appendStatements>;

/** Writes the parts inside the caller's transaction; throws WrongExpectedRevision (the caller rolls back). */
export async function appendParts(client: pg.PoolClient, sql: Statements, parts: PostgresPart[]): Promise<AppendResult[]> {
  const lastRevision = new Map<string, number>();
  for (const part of [...parts].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0))) {
    lastRevision.set(part.stream, await claim(client, sql, part));
  }
  const written = parts.flatMap((part) => {
    const first = lastRevision.get(part.stream)! - part.events.length + 1;
    return part.events.map((event, i) => ({ stream: part.stream, revision: first + i, event }));
  });
  let transactionId: string | undefined;
  const lastPosition = new Map<string, string>();
  if (written.length > 0) {
    const { rows } = await client.query<{ position: string; transaction_id: string }>(
      sql.insertEvents([
        written.map((w) => w.stream),
        written.map((w) => w.revision),
        written.map((w) => w.event.type),
        written.map((w) => w.event.data),
        written.map((w) => w.event.metadata),
      ]),
    );
    // RETURNING follows the insert's order, which the ORDER BY fixed.
    rows.forEach((row, i) => lastPosition.set(written[i]!.stream, row.position));
    transactionId = rows[0]!.transaction_id;
    await client.query(sql.notify([]));
  }
  return parts.map((part) => ({
    revision: lastRevision.get(part.stream)!,
    // A part with no events was a check only: it has no position of its own in the log.
    position: transactionId && lastPosition.has(part.stream) ? encodePosition({ transactionId, position: lastPosition.get(part.stream)! }) : "0/0",
  }));
}

/** Takes the stream's row at the expected revision; answers the revision its last event will have. */
async function claim(client: pg.PoolClient, sql: Statements, { stream, events, expectedRevision }: PostgresPart): Promise<number> {
  const count = events.length;
  if (count === 0) {
    const current = await revisionOf(client, sql, stream);
    if (!matches(expectedRevision, current)) throw new WrongExpectedRevision(stream, expectedRevision, current ?? "no_stream");
    return current ?? -1;
  }
  let claimed: pg.QueryResult<{ revision: string }>;
  if (expectedRevision === "no_stream") claimed = await client.query(sql.createStream([stream, count - 1]));
  else if (expectedRevision === "stream_exists") claimed = await client.query(sql.advanceExisting([stream, count]));
  else if (expectedRevision === "any") claimed = await client.query(sql.advanceAny([stream, count]));
  else claimed = await client.query(sql.advanceFrom([stream, count, expectedRevision]));
  const row = claimed.rows[0];
  if (row) return Number(row.revision);
  throw new WrongExpectedRevision(stream, expectedRevision, (await revisionOf(client, sql, stream)) ?? "no_stream");
}

async function revisionOf(client: pg.PoolClient, sql: Statements, stream: string): Promise<number | undefined> {
  const { rows } = await client.query<{ revision: string }>(sql.current([stream]));
  return rows[0] ? Number(rows[0].revision) : undefined;
}

function matches(expected: ExpectedRevision, current: number | undefined): boolean {
  if (expected === "any") return true;
  if (expected === "no_stream") return current === undefined;
  if (expected === "stream_exists") return current !== undefined;
  return current === expected;
}
