/**
 * Cluster session store: a `sessions` collection in the read model's MongoDB database,
 * read by `_id` only (the one lookup FerretDB answers from an index). FerretDB has no TTL
 * indexes, so each document carries its expiry, reads check it, and expired sessions are
 * deleted when read and by the periodic sweep (sweeper.ts). The auth context is kept as
 * JSON text: a token's metadata may have keys MongoDB field names cannot hold.
 */
import type { Collection, MongoClient } from "mongodb";
import type { AuthContext } from "../auth/adminToken.js";
import { connectMongo, isMongoUnreachable } from "../mongodb/connect.js";
import { type SessionStore, SessionStoreUnavailable } from "./port.js";

interface StoredSession {
  _id: string;
  auth_context: string;
  expires_at: Date;
}

export class MongoSessionStore implements SessionStore {
  private constructor(
    private readonly client: MongoClient,
    private readonly sessions: Collection<StoredSession>,
  ) {}

  static async connect(url: string, database: string, timeoutMs = 5_000): Promise<MongoSessionStore> {
    const client = await connectMongo(url, timeoutMs);
    return new MongoSessionStore(client, client.db(database).collection<StoredSession>("sessions"));
  }

  save(id: string, authContext: AuthContext, expiresAt: Date): Promise<void> {
    return reachable(async () => {
      await this.sessions.replaceOne({ _id: id }, { auth_context: JSON.stringify(authContext), expires_at: expiresAt }, { upsert: true });
    });
  }

  get(id: string, now: Date): Promise<AuthContext | undefined> {
    return reachable(async () => {
      const stored = await this.sessions.findOne({ _id: id });
      if (!stored) return undefined;
      if (stored.expires_at.getTime() <= now.getTime()) {
        await this.sessions.deleteOne({ _id: id });
        return undefined;
      }
      return JSON.parse(stored.auth_context) as AuthContext;
    });
  }

  destroy(id: string): Promise<void> {
    return reachable(async () => {
      await this.sessions.deleteOne({ _id: id });
    });
  }

  deleteExpired(now: Date): Promise<number> {
    return reachable(async () => (await this.sessions.deleteMany({ expires_at: { $lte: now } })).deletedCount);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** A server that cannot be reached in time is the port's SessionStoreUnavailable (503 over HTTP). */
async function reachable<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw isMongoUnreachable(error) ? new SessionStoreUnavailable(error) : error;
  }
}
