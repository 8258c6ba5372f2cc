/**
 * How the PostgreSQL store writes one caller's append (one stream, or several at once): one
 * call of the schema's `append_to_streams` (postgresTables.ts), a statement of its own, so
 * the server runs it as one transaction and one round trip. It claims each stream's row at
 * its expected revision, inserts the events and notifies followers, who hear of it when it
 * commits. A stream not where the write expected it comes back as a conflict row (found
 * before writing) or as SQLSTATE ES409 (lost a race while claiming, everything undone); both
 * become WrongExpectedRevision here.
 */
import type pg from "pg";
import { identifier } from "../postgres/connect.js";
import type { SerialisedEvent } from "./eventJson.js";
import { type AppendResult, type ExpectedRevision, WrongExpectedRevision } from "./port.js";
import { encodePosition } from "./postgresPositions.js";

export interface PostgresPart {
  stream: string;
  events: SerialisedEvent[];
  expectedRevision: ExpectedRevision;
}

/** The function's error for a stream not at its expected revision. */
const WRONG_EXPECTED_REVISION = "ES409";

interface AppendRow {
  part_stream: string;
  last_revision: string | null;
  last_position: string | null;
  writer: string | null;
  /** The write was refused before anything was written: `part_stream` is not where it was expected. */
  conflict: boolean;
}

/** The append statement of one schema: named, so each connection prepares it once. */
export function appendStatement(schema: string, channel: string) {
  const text = `SELECT * FROM ${identifier(schema)}.append_to_streams($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::text)`;
  return (parts: PostgresPart[]): pg.QueryConfig => {
    const events = parts.flatMap((part) => part.events);
    return {
      name: `${schema}:append-to-streams`,
      text,
      values: [
        parts.map((part) => part.stream),
        parts.map((part) => String(part.expectedRevision)),
        parts.map((part) => part.events.length),
        events.map((event) => event.type),
        events.map((event) => event.data),
        events.map((event) => event.metadata),
        channel,
      ],
    };
  };
}

export async function appendParts(pool: pg.Pool, statement: ReturnType<typeof appendStatement>, parts: PostgresPart[]): Promise<AppendResult[]> {
  let rows: AppendRow[];
  try {
    ({ rows } = await pool.query<AppendRow>(statement(parts)));
  } catch (error) {
    const { code, detail } = error as { code?: string; detail?: string };
    if (code !== WRONG_EXPECTED_REVISION || !detail) throw error;
    const { stream, actual } = JSON.parse(detail) as { stream: string; actual: number | null };
    const part = parts.find((candidate) => candidate.stream === stream)!;
    throw new WrongExpectedRevision(stream, part.expectedRevision, actual ?? "no_stream");
  }
  const refused = rows.find((row) => row.conflict);
  if (refused) {
    const part = parts.find((candidate) => candidate.stream === refused.part_stream)!;
    throw new WrongExpectedRevision(refused.part_stream, part.expectedRevision, refused.last_revision === null ? "no_stream" : Number(refused.last_revision));
  }
  return rows.map((row) => ({
    revision: Number(row.last_revision),
    // A part with no events was a check only: it has no position of its own in the log.
    position: row.writer !== null && row.last_position !== null ? encodePosition({ transactionId: row.writer, position: row.last_position }) : "0/0",
  }));
}
