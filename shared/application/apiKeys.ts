/**
 * Secret API keys against the event store: create (the secret is returned once), revoke,
 * list, and authenticate a secret sent with a request.
 */
import { randomBytes } from "node:crypto";
import {
  API_KEY_STREAM_PREFIX,
  type ApiKeyEvent,
  type ApiKeyFields,
  type ApiKeyState,
  apiKeyStreamName,
  decideCreateApiKey,
  decideRevokeApiKey,
  evolveApiKey,
  initialApiKeyState,
} from "../apiKeys/apiKey.js";
import { type ApiKeySecretRegistered, keyIdOf, secretLookupStreamName } from "../apiKeys/secretLookup.js";
import { ConcurrentWriteConflict } from "../errors.js";
import { type EventStore, WrongExpectedRevision } from "../eventstore/port.js";
import { type CommandContext, toEventsToAppend } from "./context.js";
import { loadStream } from "./loadStream.js";

export interface ApiKeysDependencies {
  store: EventStore;
  clock: () => Date;
  newApiKeyId: () => string;
}

/** Medusa's format: `sk_` and 32 random bytes in hex. */
const newSecret = (): string => `sk_${randomBytes(32).toString("hex")}`;

export class ApiKeys {
  constructor(private readonly deps: ApiKeysDependencies) {}

  async create(title: string, context: CommandContext): Promise<{ key: ApiKeyFields; secret: string }> {
    const { store, clock } = this.deps;
    const now = clock();
    const id = this.deps.newApiKeyId();
    const secret = newSecret();
    const events = decideCreateApiKey({ type: "CreateApiKey", data: { id, title, secret, created_by: context.actor.id, now } }, initialApiKeyState());
    // The lookup first: a crash before the key's own stream leaves a lookup to nothing,
    // which authenticates nobody; the secret was never shown.
    const registered: ApiKeySecretRegistered = { type: "ApiKeySecretRegistered", data: { api_key_id: id, registered_at: now.toISOString() } };
    await store.appendToStream(secretLookupStreamName(secret), toEventsToAppend([registered], context, now), { expectedRevision: "no_stream" });
    await store.appendToStream(apiKeyStreamName(id), toEventsToAppend(events, context, now), { expectedRevision: "no_stream" });
    return { key: (events[0] as Extract<ApiKeyEvent, { type: "ApiKeyCreated" }>).data, secret };
  }

  /** The active key this secret belongs to, if any. */
  async authenticate(secret: string): Promise<ApiKeyFields | undefined> {
    const keyId = keyIdOf(await this.deps.store.readStream(secretLookupStreamName(secret)));
    if (!keyId) return undefined;
    const state = await this.#load(keyId);
    return state.state.status === "active" ? state.state.key : undefined;
  }

  async revoke(id: string, context: CommandContext): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const now = this.deps.clock();
      const { state, expectedRevision } = await this.#load(id);
      const events = decideRevokeApiKey({ type: "RevokeApiKey", data: { id, revoked_by: context.actor.id, now } }, state);
      if (events.length === 0) return;
      try {
        await this.deps.store.appendToStream(apiKeyStreamName(id), toEventsToAppend(events, context, now), { expectedRevision });
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
      }
    }
    throw new ConcurrentWriteConflict(apiKeyStreamName(id));
  }

  /** Every key, oldest first, read from the global log (an admin tool's listing, not a hot path). */
  async list(): Promise<ApiKeyState[]> {
    const states = new Map<string, ApiKeyState>();
    let after: string | undefined;
    for (;;) {
      const page = await this.deps.store.readAll({ after, streamPrefixes: [API_KEY_STREAM_PREFIX], maxCount: 500 });
      for (const event of page) {
        states.set(event.stream, evolveApiKey(states.get(event.stream) ?? initialApiKeyState(), { type: event.type, data: event.data } as ApiKeyEvent));
      }
      if (page.length < 500) return [...states.values()];
      after = page.at(-1)!.position;
    }
  }

  #load(id: string) {
    return loadStream<ApiKeyState, ApiKeyEvent>(this.deps.store, apiKeyStreamName(id), { evolve: evolveApiKey, initialState: initialApiKeyState });
  }
}
