/**
 * The event store's tables in PostgreSQL. `streams` holds each stream's revision: appends
 * lock its row (or insert it), so writers to one stream queue there and expected-revision
 * checks cannot race. `events` is the log; `transaction_id` is the writing transaction's id,
 * which readers need to avoid skipping events that commit late (postgresLog.ts).
 */
import type { Migration } from "../postgres/schema.js";

export const EVENT_STORE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "streams and the event log",
    sql: `
      CREATE TABLE streams (
        stream   text PRIMARY KEY,
        revision bigint NOT NULL
      );
      CREATE TABLE events (
        position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream         text NOT NULL,
        revision       bigint NOT NULL,
        type           text NOT NULL,
        data           json NOT NULL,
        metadata       json NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stream, revision)
      );
      -- The log's order for readers: by writing transaction, then position.
      CREATE INDEX events_log_order ON events (transaction_id, position);
    `,
  },
];

/** The channel appends notify on commit, per schema so that two services on one server stay apart. */
export function appendChannel(schema: string): string {
  return `${schema}_events_appended`;
}
