/**
 * The KurrentDB client an adapter works through, replaced when it is stuck. The client keeps
 * its first answer to the server's capability check, and only a few errors (unavailable,
 * cancelled, not leader) make it ask again: one deadline while the server was starting would
 * fail every later append, while reads (which take another path) still work. So a client
 * whose appends, or whose reads, have done nothing but fail as unavailable, several times over
 * several seconds, is disposed of and a new one is made from the same connection string. A
 * client handed in by the caller is never replaced.
 */
import { KurrentDBClient } from "@kurrent/kurrentdb-client";
import { EventStoreUnavailable } from "./port.js";

/** Failures in a row, lasting at least FAILING_FOR_MS, before a client counts as stuck. */
const FAILURES_BEFORE_REPLACING = 3;
const FAILING_FOR_MS = 5_000;
/** At most one new client this often: a server that is really down is not helped by more. */
const REPLACE_AT_MOST_EVERY_MS = 15_000;

export type KurrentDbConnectionSource = string | KurrentDBClient | (() => KurrentDBClient);

/** Appends and reads go different ways through the client: one can be stuck while the other works. */
export type OperationKind = "append" | "read";

interface FailureCount {
  failures: number;
  since: number | undefined;
}

export class KurrentDbConnection {
  #client: KurrentDBClient;
  readonly #create: (() => KurrentDBClient) | undefined;
  readonly #failing: Record<OperationKind, FailureCount> = { append: { failures: 0, since: undefined }, read: { failures: 0, since: undefined } };
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
  async run<T>(kind: OperationKind, operation: (client: KurrentDBClient) => Promise<T>): Promise<T> {
    try {
      const result = await operation(this.#client);
      this.#failing[kind] = { failures: 0, since: undefined };
      return result;
    } catch (error) {
      this.#failed(kind, error);
      throw error;
    }
  }

  /** Counts an unavailable failure; replaces the client once it looks stuck. */
  #failed(kind: OperationKind, error: unknown): void {
    if (!(error instanceof EventStoreUnavailable) || this.#closed) return;
    const at = this.now();
    const count = this.#failing[kind];
    count.failures += 1;
    count.since ??= at;
    const stuck = count.failures >= FAILURES_BEFORE_REPLACING && at - count.since >= FAILING_FOR_MS;
    if (!stuck || !this.#create || at - this.#replacedAt < REPLACE_AT_MOST_EVERY_MS) return;
    const old = this.#client;
    this.#client = this.#create();
    this.#replacedAt = at;
    this.#replaced += 1;
    this.#failing.append = { failures: 0, since: undefined };
    this.#failing.read = { failures: 0, since: undefined };
    void old.dispose().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#create) await this.#client.dispose();
  }
}
