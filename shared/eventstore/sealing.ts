/**
 * An event store that keeps personal data sealed: a decorator of the event store port. On
 * append, each event's personal fields (shared/events/personalData.ts) are sealed under the
 * data key of the customer they belong to; on read, they are opened again, or come back null
 * with `erased: true` once that key was destroyed. The store underneath, its files and its
 * replicas only ever hold the sealed form of what is written through it; events written
 * before (in the clear) read as they are.
 */
import { Failure } from "../errors.js";
import { openPersonalData, personalDataSubject, sealPersonalData, isSealedData } from "../events/personalData.js";
import { DataKeyDestroyed, type KeyStore } from "../keystore/keyStore.js";
import type { AppendResult, EventStore, EventToAppend, ExpectedRevision, GlobalPosition, HeldBack, ReadAllOptions, ReadStreamOptions, RecordedEvent, StreamAppend, Subscription } from "./port.js";

/** A write that would seal new personal data for a customer whose key was destroyed (erased). */
export class SubjectErased extends Failure {
  override readonly name = "SubjectErased";
  readonly kind = "not_found";
  constructor(readonly subject: string) {
    super(`Customer with id: ${subject} was erased`);
  }
}

export class SealingEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly keys: KeyStore,
  ) {}

  async appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    return this.inner.appendToStream(stream, await this.#seal(events), options);
  }

  async appendToStreams(appends: StreamAppend[]): Promise<AppendResult[]> {
    const sealed = await Promise.all(appends.map(async (append) => ({ ...append, events: await this.#seal(append.events) })));
    return this.inner.appendToStreams(sealed);
  }

  async readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.#openAll(await this.inner.readStream(stream, options));
  }

  streamRevision(stream: string): Promise<number> {
    return this.inner.streamRevision(stream);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.#openAll(await this.inner.readAll(options));
  }

  subscribeToAll(options: { after?: GlobalPosition; streamPrefixes?: string[] }): Subscription {
    const subscription = this.inner.subscribeToAll(options);
    const open = (event: RecordedEvent) => this.#open(event);
    async function* opened(): AsyncGenerator<RecordedEvent> {
      for await (const event of subscription) yield await open(event);
    }
    const iterator = opened();
    return { [Symbol.asyncIterator]: () => iterator, close: () => subscription.close() };
  }

  headPosition(options?: { streamPrefixes?: string[] }): Promise<GlobalPosition | undefined> {
    return this.inner.headPosition(options);
  }

  async heldBack(options: { after?: GlobalPosition; streamPrefixes?: string[] }): Promise<HeldBack | undefined> {
    return this.inner.heldBack?.(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async #seal(events: EventToAppend[]): Promise<EventToAppend[]> {
    return Promise.all(
      events.map(async (event) => {
        const subject = personalDataSubject(event.type, event.data);
        if (subject === undefined) return event;
        try {
          return { ...event, data: sealPersonalData(event.type, event.data, await this.keys.obtain(subject)) };
        } catch (error) {
          if (error instanceof DataKeyDestroyed) throw new SubjectErased(subject);
          throw error;
        }
      }),
    );
  }

  #openAll(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    return Promise.all(events.map((event) => this.#open(event)));
  }

  async #open(event: RecordedEvent): Promise<RecordedEvent> {
    return isSealedData(event.data) ? { ...event, data: await openSealedData(this.keys, event.type, event.data) } : event;
  }
}

/**
 * An event's data with its personal fields opened with its customer's key, or null with
 * `erased: true` once that key is destroyed; data in the clear as it is. For readers of the
 * sealed form outside the event store (the projector, on Kafka's messages).
 */
export async function openSealedData(keys: KeyStore, type: string, data: unknown): Promise<unknown> {
  if (!isSealedData(data)) return data;
  const found = await keys.lookup(personalDataSubject(type, data)!);
  return openPersonalData(type, data, found.state === "live" ? found.key : undefined);
}
