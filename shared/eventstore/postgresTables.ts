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
  {
    version: 2,
    description: "append_to_streams: a whole append in one statement",
    // Every claim and insert of an append in one call, so that an append is one round trip
    // and its row locks are held for as short a time as the server can make it. The claims
    // go in stream-name order (two appends sharing streams cannot deadlock). A stream found
    // past its expected revision before anything is written comes back as a conflict row; one
    // lost in a race while claiming raises ES409 with the stream and its revision as JSON,
    // which undoes the whole statement.
    sql: `
      CREATE FUNCTION append_to_streams(
        p_streams text[], p_expected text[], p_counts integer[],
        p_types text[], p_data text[], p_metadata text[], p_channel text
      ) RETURNS TABLE (part_stream text, last_revision bigint, last_position bigint, writer text, conflict boolean)
      LANGUAGE plpgsql
      SET search_path FROM CURRENT
      AS $fn$
      DECLARE
        part integer;
        n integer;
        expected text;
        claimed bigint;
        current_revision bigint;
        revisions bigint[] := '{}';
      BEGIN
        -- A stream already past the expected revision (the usual lost race: an email taken a
        -- while ago) is answered as a row, before anything is written: raising for it would
        -- put an ERROR in the server's log for every duplicate email.
        FOR part IN SELECT o.i FROM unnest(p_streams) WITH ORDINALITY AS o(s, i) LOOP
          expected := p_expected[part];
          CONTINUE WHEN expected = 'any';
          SELECT s.revision INTO current_revision FROM streams s WHERE s.stream = p_streams[part];
          IF NOT FOUND THEN
            current_revision := NULL;
          END IF;
          IF (expected = 'no_stream' AND current_revision IS NOT NULL)
            OR (expected = 'stream_exists' AND current_revision IS NULL)
            OR (expected ~ '^[0-9]+$' AND current_revision IS DISTINCT FROM expected::bigint) THEN
            RETURN QUERY SELECT p_streams[part], current_revision, NULL::bigint, NULL::text, true;
            RETURN;
          END IF;
        END LOOP;

        FOR part IN SELECT o.i FROM unnest(p_streams) WITH ORDINALITY AS o(s, i) ORDER BY o.s COLLATE "C" LOOP
          n := p_counts[part];
          expected := p_expected[part];
          claimed := NULL;
          IF n = 0 THEN
            SELECT s.revision INTO current_revision FROM streams s WHERE s.stream = p_streams[part] FOR SHARE;
            IF expected = 'any'
              OR (expected = 'no_stream' AND current_revision IS NULL)
              OR (expected = 'stream_exists' AND current_revision IS NOT NULL)
              OR (expected ~ '^[0-9]+$' AND current_revision = expected::bigint) THEN
              claimed := coalesce(current_revision, -1);
            END IF;
          ELSIF expected = 'no_stream' THEN
            INSERT INTO streams AS s (stream, revision) VALUES (p_streams[part], n - 1)
              ON CONFLICT (stream) DO NOTHING RETURNING s.revision INTO claimed;
          ELSIF expected = 'stream_exists' THEN
            UPDATE streams AS s SET revision = s.revision + n WHERE s.stream = p_streams[part] RETURNING s.revision INTO claimed;
          ELSIF expected = 'any' THEN
            INSERT INTO streams AS s (stream, revision) VALUES (p_streams[part], n - 1)
              ON CONFLICT (stream) DO UPDATE SET revision = s.revision + n RETURNING s.revision INTO claimed;
          ELSE
            UPDATE streams AS s SET revision = s.revision + n
              WHERE s.stream = p_streams[part] AND s.revision = expected::bigint RETURNING s.revision INTO claimed;
          END IF;
          IF claimed IS NULL THEN
            -- Lost a race to a writer that committed after the check above: undo it all.
            SELECT s.revision INTO current_revision FROM streams s WHERE s.stream = p_streams[part];
            RAISE EXCEPTION 'wrong expected revision' USING
              ERRCODE = 'ES409',
              DETAIL = json_build_object('stream', p_streams[part], 'actual', current_revision)::text;
          END IF;
          revisions[part] := claimed;
        END LOOP;

        IF coalesce(array_length(p_types, 1), 0) > 0 THEN
          PERFORM pg_notify(p_channel, '');
        END IF;

        RETURN QUERY
        WITH parts AS (
          SELECT o.i AS part, o.s AS stream, p_counts[o.i] AS n, revisions[o.i] AS last_revision,
                 (sum(p_counts[o.i]) OVER (ORDER BY o.i) - p_counts[o.i])::integer AS start
          FROM unnest(p_streams) WITH ORDINALITY AS o(s, i)
        ), written AS (
          INSERT INTO events (stream, revision, type, data, metadata)
          SELECT p.stream, p.last_revision - p.n + k, p_types[p.start + k], p_data[p.start + k]::json, p_metadata[p.start + k]::json
          FROM parts p, generate_series(1, p.n) AS k
          ORDER BY p.start + k
          RETURNING events.stream, events.position
        )
        SELECT p.stream, p.last_revision, (SELECT max(w.position) FROM written w WHERE w.stream = p.stream),
               CASE WHEN p.n > 0 THEN pg_current_xact_id()::text END, false
        FROM parts p
        ORDER BY p.part;
      END
      $fn$;
    `,
  },
];

/** The channel appends notify on commit, per schema so that two services on one server stay apart. */
export function appendChannel(schema: string): string {
  return `${schema}_events_appended`;
}
