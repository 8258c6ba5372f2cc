/**
 * Wakes the store's followers when an append commits, through PostgreSQL's LISTEN/NOTIFY on a
 * connection of its own. Notifications are a hint, never the only way to learn of an event:
 * while the connection is down (the server restarting) they are lost, so followers also poll
 * (postgres.ts), the connection is made again after a pause, and a fresh connection wakes
 * everyone once to read what was missed.
 */
import pg from "pg";
import { Signal } from "../signal.js";

const RECONNECT_AFTER_MS = 1_000;

export class AppendNotifications {
  readonly appended = new Signal();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly timeoutMs: number,
  ) {}

  /** Starts listening, once; returns without waiting for the connection. */
  listen(): void {
    if (this.#closed || this.#client || this.#connecting) return;
    this.#connecting = this.#connect().finally(() => {
      this.#connecting = undefined;
    });
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: this.timeoutMs, application_name: "medusa-customers-listener" });
    const lost = () => {
      if (this.#client === client) this.#client = undefined;
      void client.end().catch(() => undefined);
      this.#scheduleReconnect();
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", () => this.appended.notify());
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch {
      lost();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    // Appends made while no one listened are found by reading now.
    this.appended.notify();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.listen();
    }, RECONNECT_AFTER_MS);
    this.#retry.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
    this.appended.notify();
  }
}
