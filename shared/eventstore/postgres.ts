/**
 * Cluster event store on PostgreSQL: for shops that already run it, and for clusters whose
 * command services share nothing but servers.
 *
 * Every append is one statement, so one transaction (postgresAppender.ts); the global log is
 * read below the oldest append still running, in (transaction id, position) order, so no reader skips an
 * event that commits late (postgresLog.ts). Followers hear of commits through LISTEN/NOTIFY
 * and also poll, so a lost notification delays them by one poll at most. The tables are made
 * or migrated on first use, in the schema given (postgresTables.ts).
 */
import type pg from "pg";
import { DEFAULT_POSTGRES_OPTIONS, type PostgresOptions, isPostgresUnavailable, openPool } from "../postgres/connect.js";
import { migrate } from "../postgres/schema.js";
import { Signal } from "../signal.js";
import { serialiseEvent } from "./eventJson.js";
import {
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type GlobalPosition,
  type HeldBack,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type Subscription,
  EventStoreUnavailable,
} from "./port.js";
import { type PostgresPart, appendParts, appendStatement } from "./postgresAppender.js";
import { type LogPage, type LogStatements, isHeldBack, logStatements, pointOf, prefixPatterns, readPage, toRecordedEvent } from "./postgresLog.js";
import { AppendNotifications } from "./postgresNotifications.js";
import { LOG_START, type LogPoint, decodePosition, encodePosition } from "./postgresPositions.js";
import { EVENT_STORE_MIGRATIONS, appendChannel } from "./postgresTables.js";

export interface PostgresEventStoreOptions extends Partial<PostgresOptions> {
  /** The schema holding the tables; made when missing. */
  schema?: string;
  /** Followers read the log this often even without a notification. */
  pollMs?: number;
  /** How long a one-off read waits for transactions already running to end (postgresLog.ts). */
  settleMs?: number;
}

export const DEFAULT_POSTGRES_SCHEMA = "customers";
const SUBSCRIPTION_PAGE = 512;
const POLL_MS = 1_000;
const SETTLE_MS = 2_000;
/** The longest a follower sleeps between looks while events wait behind a running transaction. */
const HELD_BACK_WAIT_MAX_MS = 20;

export class PostgresEventStore implements EventStore {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #append;
  readonly #log: LogStatements;
  readonly #notifications: AppendNotifications;
  readonly #pollMs: number;
  readonly #settleMs: number;
  #ready: Promise<unknown> | undefined;
  #closed = false;
  readonly #stopped = new Signal();

  constructor(url: string, options: PostgresEventStoreOptions = {}) {
    const connection = { ...DEFAULT_POSTGRES_OPTIONS, ...options };
    this.#schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
    this.#pool = openPool(url, connection);
    this.#append = appendStatement(this.#schema, appendChannel(this.#schema));
    this.#log = logStatements(this.#schema);
    this.#notifications = new AppendNotifications(url, appendChannel(this.#schema), connection.timeoutMs);
    this.#pollMs = options.pollMs ?? POLL_MS;
    this.#settleMs = options.settleMs ?? SETTLE_MS;
  }

  /** The tables, made or migrated once; tried again on the next call if the server was down. */
  #tables(): Promise<unknown> {
    this.#ready ??= migrate(this.#pool, this.#schema, "events", EVENT_STORE_MIGRATIONS).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /** Runs a database call, turning "the server cannot be used" into EventStoreUnavailable. */
  async #use<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new EventStoreUnavailable("The event store is closed");
    try {
      await this.#tables();
      return await work();
    } catch (error) {
      if (isPostgresUnavailable(error)) throw new EventStoreUnavailable(`PostgreSQL could not be used to ${what}: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  }

  async appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.appendToStreams([{ stream, events, expectedRevision: options.expectedRevision }]);
    return result!;
  }

  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    if (new Set(appends.map((append) => append.stream)).size !== appends.length) throw new Error("A write across several streams names each stream once");
    const parts: PostgresPart[] = appends.map(({ stream, events, expectedRevision }) => ({ stream, expectedRevision, events: events.map((event) => serialiseEvent(stream, event)) }));
    if (parts.length === 0) return [];
    return this.#use("append events", () => appendParts(this.#pool, this.#append, parts));
  }

  async readStream(stream: string, { fromRevision = 0, maxCount }: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (maxCount === 0) return [];
    return this.#use("read a stream", async () => (await this.#pool.query(this.#log.stream([stream, fromRevision, maxCount ?? null]))).rows.map(toRecordedEvent));
  }

  async streamRevision(stream: string): Promise<number> {
    return this.#use("read a stream's revision", async () => {
      const { rows } = await this.#pool.query<{ revision: string }>(this.#log.revision([stream]));
      return rows[0] ? Number(rows[0].revision) : -1;
    });
  }

  /**
   * The log after `after`. Events written by transactions still running when the read began
   * are waited for (up to settleMs), so that a caller reads every append committed before it
   * asked, its own included.
   */
  async readAll({ after, streamPrefixes, maxCount }: ReadAllOptions): Promise<RecordedEvent[]> {
    const patterns = prefixPatterns(streamPrefixes);
    return this.#use("read the log", async () => {
      const deadline = Date.now() + this.#settleMs;
      let from = decodePosition(after);
      const events: RecordedEvent[] = [];
      let first: LogPage | undefined;
      for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
        const page = await readPage(this.#pool, this.#log, from, patterns, maxCount - events.length);
        first ??= page;
        events.push(...page.events);
        if (page.events.length > 0) from = pointOf(page.events.at(-1)!);
        if (events.length >= maxCount || Date.now() >= deadline) return events;
        // Only transactions that had started at the first read are waited for: later ones are news.
        if (!(await isHeldBack(this.#pool, this.#log, from, patterns, { horizon: page.horizon, next: first.next }))) return events;
        await sleep(wait);
      }
    });
  }

  subscribeToAll(options: { after?: GlobalPosition; streamPrefixes?: string[] }): Subscription {
    let closed = false;
    const stop = new Signal();
    const patterns = prefixPatterns(options.streamPrefixes);
    this.#notifications.listen();
    const store = this;
    async function* follow(): AsyncGenerator<RecordedEvent> {
      let from = decodePosition(options.after);
      for (let wait = 1; !closed && !store.#closed; ) {
        const appended = store.#notifications.appended.next();
        const page = await store.#use("follow the log", () => readPage(store.#pool, store.#log, from, patterns, SUBSCRIPTION_PAGE));
        for (const event of page.events) {
          if (closed) return;
          yield event;
          from = pointOf(event);
        }
        if (page.events.length > 0) wait = 1;
        if (page.events.length === SUBSCRIPTION_PAGE) continue;
        if (await store.#use("follow the log", () => isHeldBack(store.#pool, store.#log, from, patterns, page))) {
          // Committed, but behind a transaction still running: readable once that ends. An
          // append's end is announced (the next notification); any other transaction's is
          // not, so the wait is short and grows a little each time nothing came.
          await pause(wait, [appended, stop.next(), store.#stopped.next()]);
          wait = Math.min(wait * 2, HELD_BACK_WAIT_MAX_MS);
          continue;
        }
        wait = 1;
        await pause(store.#pollMs, [appended, stop.next(), store.#stopped.next()]);
      }
    }
    const iterator = follow();
    return {
      [Symbol.asyncIterator]: () => iterator,
      async close() {
        closed = true;
        stop.notify();
      },
    };
  }

  async headPosition(options: { streamPrefixes?: string[] } = {}): Promise<GlobalPosition | undefined> {
    const patterns = prefixPatterns(options.streamPrefixes);
    return this.#use("read the log's head", async () => {
      const deadline = Date.now() + this.#settleMs;
      let first: LogPage | undefined;
      for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
        const { rows } = await this.#pool.query(this.#log.newest([patterns]));
        const row = rows[0]!;
        const page: LogPage = { horizon: row.horizon, next: row.next, events: row.position === null ? [] : [toRecordedEvent(row)] };
        first ??= page;
        const newest: LogPoint = page.events[0] ? pointOf(page.events[0]) : LOG_START;
        if (Date.now() >= deadline || !(await isHeldBack(this.#pool, this.#log, newest, patterns, { horizon: page.horizon, next: first.next }))) {
          return page.events[0] ? encodePosition(newest) : undefined;
        }
        await sleep(wait);
      }
    });
  }

  /**
   * Events after `after` committed but not readable yet: an older append still runs. Said
   * with that transaction's process, program, database, state and start, so that an operator
   * can find a session left open after writing to the log (a `BEGIN` in psql) that holds
   * every reader back.
   */
  async heldBack(options: { after?: GlobalPosition; streamPrefixes?: string[] }): Promise<HeldBack | undefined> {
    const from = decodePosition(options.after);
    return this.#use("see what holds the log back", async () => {
      const { rows } = await this.#pool.query<{ held_back: boolean; holder: HoldingTransaction | null }>(
        this.#log.heldBackBy([from.transactionId, from.position, prefixPatterns(options.streamPrefixes)]),
      );
      const { held_back, holder } = rows[0]!;
      if (!held_back) return undefined;
      if (!holder) return { reason: "committed events wait behind an older append still running on the PostgreSQL server" };
      const who = [`PID ${holder.pid}`, holder.application_name ? `program "${holder.application_name}"` : undefined, holder.database ? `database ${holder.database}` : undefined, holder.state ?? undefined]
        .filter(Boolean)
        .join(", ");
      return { reason: `committed events wait behind a transaction that writes to the log, running since ${new Date(holder.since).toISOString()} on the PostgreSQL server (${who}); they are read once it ends` };
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopped.notify();
    await this.#notifications.close();
    // Appends under way finish (or fail) before the pool ends.
    await this.#pool.end();
  }
}

/** The writing transaction that holds the log's readers back, as pg_stat_activity shows it. */
interface HoldingTransaction {
  pid: number;
  application_name: string | null;
  database: string | null;
  state: string | null;
  since: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits `ms`, or less when one of `wakers` settles first; the timer does not outlive the wait. */
async function pause(ms: number, wakers: Promise<void>[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), ...wakers]);
  clearTimeout(timer);
}
