/**
 * A kafkajs producer or admin client, connected on first use and shared from then on. A use
 * that fails drops it (disconnected in the background), so the next use starts with a fresh
 * one: after a broker outage an idempotent producer can be left with sequence numbers or a
 * producer id the broker no longer accepts, and would otherwise fail every later call.
 */
interface Connectable {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

export class KafkaClient<T extends Connectable> {
  #pending: Promise<T> | undefined;

  constructor(private readonly create: () => T) {}

  async use<R>(work: (client: T) => Promise<R>): Promise<R> {
    const pending = this.#connected();
    const client = await pending;
    try {
      return await work(client);
    } catch (error) {
      if (this.#pending === pending) {
        this.#pending = undefined;
        void client.disconnect().catch(() => undefined);
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) await (await pending.catch(() => undefined))?.disconnect();
  }

  #connected(): Promise<T> {
    this.#pending ??= (async () => {
      const client = this.create();
      await client.connect();
      return client;
    })().catch((error: unknown) => {
      this.#pending = undefined;
      throw error;
    });
    return this.#pending;
  }
}
