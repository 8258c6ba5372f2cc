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
  {
    version: 3,
    description: "log writers announce themselves, so readers wait for them only",
    // Readers may only read events of transactions that can no longer commit behind them
    // (postgresLog.ts). Below the oldest running transaction of the whole server is always
    // safe, but then any long transaction anywhere on the server (in any database) holds
    // every reader back. So writers of this log take a shared advisory lock, keyed by the
    // schema, before they have a transaction id; log_horizon() then waits only for running
    // transactions that hold it, and for those that ended after the reader's snapshot.
    sql: `
      CREATE FUNCTION announce_log_writer() RETURNS void
      LANGUAGE plpgsql
      SET search_path FROM CURRENT
      AS $fn$
      BEGIN
        -- A transaction that had its id before announcing itself could be taken by a reader
        -- for someone else's, and its events skipped: refuse it.
        IF pg_current_xact_id_if_assigned() IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM pg_locks
          WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted AND objsubid = 2
            AND classid = hashtext('medusa-customers:log-writers')::oid AND objid = hashtext(current_schema())::oid
        ) THEN
          RAISE EXCEPTION 'events are written as the first write of a transaction (append_to_streams does that)'
            USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        PERFORM pg_advisory_xact_lock_shared(hashtext('medusa-customers:log-writers'), hashtext(current_schema()));
      END
      $fn$;

      CREATE FUNCTION announce_log_writer_on_insert() RETURNS trigger
      LANGUAGE plpgsql
      SET search_path FROM CURRENT
      AS $fn$
      BEGIN
        PERFORM announce_log_writer();
        RETURN NULL;
      END
      $fn$;

      -- Rows put in the log by hand are announced too.
      CREATE TRIGGER events_announce_writer BEFORE INSERT ON events
        FOR EACH STATEMENT EXECUTE FUNCTION announce_log_writer_on_insert();

      -- append_to_streams claims stream rows (and so takes a transaction id) before it inserts
      -- events: it announces itself first, then does what it did.
      ALTER FUNCTION append_to_streams(text[], text[], integer[], text[], text[], text[], text) RENAME TO append_to_streams_unannounced;
      CREATE FUNCTION append_to_streams(
        p_streams text[], p_expected text[], p_counts integer[],
        p_types text[], p_data text[], p_metadata text[], p_channel text
      ) RETURNS TABLE (part_stream text, last_revision bigint, last_position bigint, writer text, conflict boolean)
      LANGUAGE plpgsql
      SET search_path FROM CURRENT
      AS $fn$
      BEGIN
        PERFORM announce_log_writer();
        RETURN QUERY SELECT * FROM append_to_streams_unannounced(p_streams, p_expected, p_counts, p_types, p_data, p_metadata, p_channel);
      END
      $fn$;

      -- The transaction id below which every event of this log that will ever commit has
      -- committed and is visible in snapshot s (the snapshot the caller reads the log with).
      CREATE FUNCTION log_horizon(s pg_snapshot) RETURNS xid8
      LANGUAGE plpgsql
      SET search_path FROM CURRENT
      AS $fn$
      DECLARE
        writers xid[];
      BEGIN
        -- First, the transactions that hold the writers' lock now; then, of those running when
        -- s was taken, which have ended since. In this order a writer ending in between is
        -- caught by the second step; one not holding the lock at the first was no writer
        -- (writers lock before they take an id, so they held it already when s was taken).
        writers := ARRAY(
          WITH held AS MATERIALIZED (SELECT * FROM pg_locks)
          SELECT x.transactionid
          FROM held a JOIN held x ON x.virtualtransaction = a.virtualtransaction AND x.locktype = 'transactionid'
          WHERE a.locktype = 'advisory' AND a.granted AND a.objsubid = 2
            AND a.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND a.classid = hashtext('medusa-customers:log-writers')::oid AND a.objid = hashtext(current_schema())::oid
        );
        RETURN coalesce(
          (SELECT min(x) FROM pg_snapshot_xip(s) AS x WHERE x::xid = ANY (writers) OR pg_xact_status(x) IS DISTINCT FROM 'in progress'),
          pg_snapshot_xmax(s)
        );
      END
      $fn$;
    `,
  },
];

/** The channel appends notify on commit, per schema so that two services on one server stay apart. */
export function appendChannel(schema: string): string {
  return `${schema}_events_appended`;
}
