/**
 * The session store port: what `POST /auth/session` remembers behind its cookie. Shared by
 * every command service (a SQLite file in embedded mode, MongoDB in cluster mode), so a
 * session made on one instance works on any other and survives restarts. Every adapter
 * passes test/contract/sessionStore.contract.ts.
 */
import type { AuthContext } from "../auth/adminToken.js";
import { Unavailable } from "../errors.js";

export interface SessionStore {
  /** Creates or replaces the session. */
  save(id: string, authContext: AuthContext, expiresAt: Date): Promise<void>;
  /** The session's auth context; undefined when unknown, destroyed or expired at `now`. */
  get(id: string, now: Date): Promise<AuthContext | undefined>;
  destroy(id: string): Promise<void>;
  /** Removes every session expired at `now`; answers how many. */
  deleteExpired(now: Date): Promise<number>;
  close(): Promise<void>;
}

/** The session store cannot be reached or did not answer in time; the caller may retry later. */
export class SessionStoreUnavailable extends Unavailable {
  override readonly name = "SessionStoreUnavailable";
  readonly publicMessage = "Sessions cannot be checked right now. Retry the request later, or authenticate with a token.";
  constructor(cause: unknown) {
    super(`The session store is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
