/**
 * The service's tables in PostgreSQL, created at start and changed only by numbered
 * migrations: each part (the event store, checkpoints, key records) has its own list, and
 * `schema_versions` says which of them a schema holds. Processes starting together take an
 * advisory lock first, so one of them migrates and the others find it done.
 */
import type pg from "pg";
import { identifier, inTransaction } from "./connect.js";

export interface Migration {
  version: number;
  description: string;
  /** SQL run in the service's schema (search_path is set to it). */
  sql: string;
}

export type SchemaPart = "events" | "checkpoints" | "keys";

/** Brings `schema` up to the newest migration of `part`; answers the version it is at. */
export async function migrate(pool: pg.Pool, schema: string, part: SchemaPart, migrations: Migration[]): Promise<number> {
  const name = identifier(schema);
  return inTransaction(pool, async (client) => {
    // One lock per schema: two parts' migrations do not interleave either.
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`medusa-customers:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${name}`);
    await client.query(`SET LOCAL search_path TO ${name}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_versions (
      part text NOT NULL,
      version integer NOT NULL,
      description text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (part, version)
    )`);
    const { rows } = await client.query<{ version: number | null }>("SELECT max(version) AS version FROM schema_versions WHERE part = $1", [part]);
    const current = rows[0]?.version ?? 0;
    const newest = migrations.at(-1)?.version ?? 0;
    if (current > newest) {
      throw new Error(`The PostgreSQL schema "${schema}" holds ${part} at version ${current}, newer than this version of the service knows (${newest}): run a newer version`);
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_versions (part, version, description) VALUES ($1, $2, $3)", [part, migration.version, migration.description]);
    }
    return newest;
  });
}
