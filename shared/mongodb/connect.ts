/**
 * The one way the service opens MongoDB: every wait bounded, so that a stalled or unreachable
 * server makes an operation fail within `timeoutMs` instead of holding a request, or a
 * projector's batch, for as long as the stall lasts. (The driver's `timeoutMS` is gone in
 * driver 7; the socket timeout is the bound that also holds when the server is frozen and
 * cannot enforce a server-side `maxTimeMS`.)
 */
import { MongoClient, MongoNetworkError, MongoServerSelectionError } from "mongodb";

export async function connectMongo(url: string, timeoutMs: number): Promise<MongoClient> {
  const client = new MongoClient(url, {
    retryWrites: false,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
    waitQueueTimeoutMS: timeoutMs,
  });
  await client.connect();
  return client;
}

/** Socket errors the driver can let through unwrapped (a write on a connection just reset). */
const NETWORK_ERROR_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNREFUSED", "ETIMEDOUT", "ENOTCONN", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);

/** The server could not be reached, or did not answer in time: worth retrying later. */
export function isMongoUnreachable(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  const { name, code } = (error ?? {}) as { name?: string; code?: unknown };
  // The pool's own errors (cleared after a network error, checkout timed out) are not exported.
  if (name === "MongoPoolClearedError" || name === "MongoWaitQueueTimeoutError") return true;
  return typeof code === "string" && NETWORK_ERROR_CODES.has(code);
}
