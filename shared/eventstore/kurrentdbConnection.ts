/**
 * The KurrentDB client an adapter works through, replaced when it is stuck. The client keeps
 * its first answer to the server's capability check, and only a few errors (unavailable,
 * cancelled, not leader) make it ask again: one deadline while the server was starting would
 * fail every later append. So a client that has done nothing but fail as unavailable, several
 * times over several seconds, is disposed of and a new one is made from the same connection
 * string. A client handed in by the caller is never replaced.
 */
import { KurrentDBClient } from "@kurrent/kurrentdb-client";
import { EventStoreUnavailable } from "./port.js";

/** Failures in a row, lasting at least FAILING_FOR_MS, before a client counts as stuck. */
const FAILURES_BEFORE_REPLACING = 3;
const FAILING_FOR_MS = 5_000;
/** At most one new client this often: a server that is really down is not helped by more. */
const REPLACE_AT_MOST_EVERY_MS = 15_000;

export type KurrentDbConnectionSource = string | KurrentDBClient | (() => KurrentDBClient);

export class KurrentDbConnection {
  #client: KurrentDBClient;
  readonly #create: (() => KurrentDBClient) | undefined;
  #failures = 0;
  #failingSince: number | undefined;
  #replacedAt = Number.NEGATIVE_INFINITY;
  #replaced = 0;
  #closed = false;

  /** A connection string (kurrentdb://host:2113?tls=false), a client owned by the caller, or a way to make clients. */
  constructor(
    source: KurrentDbConnectionSource,
    private readonly now: () => number = Date.now,
  ) {
    this.#create = typeof source === "string" ? () => KurrentDBClient.connectionString(source) : typeof source === "function" ? source : undefined;
    this.#client = this.#create ? this.#create() : (source as KurrentDBClient);
  }

  get client(): KurrentDBClient {
    return this.#client;
  }

  /** How many times a stuck client was replaced. */
  get replacements(): number {
    return this.#replaced;
  }

  /** Runs `operation` on the client, counting its outcome (`operation` throws the port's errors). */
  async run<T>(operation: (client: KurrentDBClient) => Promise<T>): Promise<T> {
    try {
      const result = await operation(this.#client);
      this.succeeded();
      return result;
    } catch (error) {
      this.failed(error);
      throw error;
    }
  }

  succeeded(): void {
    this.#failures = 0;
    this.#failingSince = undefined;
  }

  /** Counts an unavailable failure; replaces the client once it looks stuck. */
  failed(error: unknown): void {
    if (!(error instanceof EventStoreUnavailable) || this.#closed) return;
    const at = this.now();
    this.#failures += 1;
    this.#failingSince ??= at;
    const stuck = this.#failures >= FAILURES_BEFORE_REPLACING && at - this.#failingSince >= FAILING_FOR_MS;
    if (!stuck || !this.#create || at - this.#replacedAt < REPLACE_AT_MOST_EVERY_MS) return;
    const old = this.#client;
    this.#client = this.#create();
    this.#replacedAt = at;
    this.#replaced += 1;
    this.succeeded();
    void old.dispose().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#create) await this.#client.dispose();
  }
}
