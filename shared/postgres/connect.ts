/**
 * The one way the service opens PostgreSQL: a pool whose every wait is bounded, so that an
 * unreachable or stalled server fails an operation within `timeoutMs` instead of holding a
 * request for as long as the outage lasts, and a test for the errors that mean "the server
 * could not be used, retry later" as opposed to a bug.
 */
import pg from "pg";

export interface PostgresOptions {
  /** Bound on connecting, on waiting for a pooled connection and on each statement. */
  timeoutMs: number;
  /** Connections this process keeps open at most. */
  poolSize: number;
}

export const DEFAULT_POSTGRES_OPTIONS: PostgresOptions = { timeoutMs: 10_000, poolSize: 10 };

export function openPool(url: string, { timeoutMs, poolSize }: PostgresOptions = DEFAULT_POSTGRES_OPTIONS): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: timeoutMs,
    // The server ends a statement that runs longer (a lock held by a stuck transaction).
    statement_timeout: timeoutMs,
    // The client gives up on a server that stops answering altogether.
    query_timeout: timeoutMs + 1_000,
    idle_in_transaction_session_timeout: timeoutMs * 3,
    application_name: "medusa-customers",
  });
  // An idle connection the server closes (a restart) surfaces here; the pool drops it and
  // the next query opens another. Without a listener it would crash the process.
  pool.on("error", () => undefined);
  return pool;
}

/** Node's socket errors that mean the connection is gone. */
const NETWORK_ERROR_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNREFUSED", "ETIMEDOUT", "ENOTCONN", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * The server could not be reached or used for now: a connection failure, a server shutting
 * down or out of resources, a statement cancelled by its timeout, or the client's own
 * timeouts. Worth retrying later; anything else is a bug and is not retried.
 */
export function isPostgresUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (NETWORK_ERROR_CODES.has(code)) return true;
    // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator
    // intervention (shutdown, statement timeout), 58 system error; 40001/40P01 are not here:
    // the adapters do not run serialisable transactions and take their locks in one order.
    if (/^(08|53|57|58)/.test(code)) return true;
  }
  return (
    typeof message === "string" &&
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed/i.test(message)
  );
}

/** Runs `work` in a transaction on one pooled connection: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    broken = isPostgresUnavailable(error);
    if (!broken) await client.query("ROLLBACK").catch(() => (broken = true));
    throw error;
  } finally {
    // A connection that failed is not handed out again.
    client.release(broken);
  }
}

/** A schema or table name as an SQL identifier, quoted. */
export function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`"${name}" is not a usable PostgreSQL schema name (lower-case letters, digits and _, at most 63)`);
  return `"${name}"`;
}
