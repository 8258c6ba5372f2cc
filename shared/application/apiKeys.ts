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
import type { EventStore } from "../eventstore/port.js";
import { readAllPages } from "../eventstore/readAllPages.js";
import { handleCommand } from "./commandHandler.js";
import type { CommandContext } from "./context.js";
import { loadStream } from "../eventstore/loadStream.js";

export interface ApiKeysDependencies {
  store: EventStore;
  clock: () => Date;
  newApiKeyId: () => string;
}

const API_KEY = { evolve: evolveApiKey, initialState: initialApiKeyState };
/** The lookup stream's only event; nothing is folded from it here. */
const SECRET_LOOKUP = { evolve: (state: null) => state, initialState: () => null };
const registered = (apiKeyId: string, now: Date): ApiKeySecretRegistered => ({
  type: "ApiKeySecretRegistered",
  data: { api_key_id: apiKeyId, registered_at: now.toISOString() },
});

/** Medusa's format: `sk_` and 32 random bytes in hex. */
const newSecret = (): string => `sk_${randomBytes(32).toString("hex")}`;

export class ApiKeys {
  constructor(private readonly deps: ApiKeysDependencies) {}

  async create(title: string, context: CommandContext): Promise<{ key: ApiKeyFields; secret: string }> {
    const { store, clock } = this.deps;
    const id = this.deps.newApiKeyId();
    const secret = newSecret();
    const options = { clock, context, newStream: true };
    // The lookup first: a crash before the key's own stream leaves a lookup to nothing,
    // which authenticates nobody; the secret was never shown.
    await handleCommand(store, secretLookupStreamName(secret), SECRET_LOOKUP, (_state, now) => [registered(id, now)], options);
    const handled = await handleCommand(
      store,
      apiKeyStreamName(id),
      API_KEY,
      (state, now) => decideCreateApiKey({ type: "CreateApiKey", data: { id, title, secret, created_by: context.actor.id, now } }, state),
      options,
    );
    return { key: (handled.events[0] as Extract<ApiKeyEvent, { type: "ApiKeyCreated" }>).data, secret };
  }

  /** The active key this secret belongs to, if any. */
  async authenticate(secret: string): Promise<ApiKeyFields | undefined> {
    const keyId = keyIdOf(await this.deps.store.readStream(secretLookupStreamName(secret)));
    if (!keyId) return undefined;
    const state = await this.#load(keyId);
    return state.state.status === "active" ? state.state.key : undefined;
  }

  async revoke(id: string, context: CommandContext): Promise<void> {
    await handleCommand(
      this.deps.store,
      apiKeyStreamName(id),
      API_KEY,
      (state, now) => decideRevokeApiKey({ type: "RevokeApiKey", data: { id, revoked_by: context.actor.id, now } }, state),
      { clock: this.deps.clock, context },
    );
  }

  /** Every key, oldest first, read from the global log (an admin tool's listing, not a hot path). */
  async list(): Promise<ApiKeyState[]> {
    const states = new Map<string, ApiKeyState>();
    for await (const page of readAllPages(this.deps.store, { streamPrefixes: [API_KEY_STREAM_PREFIX], pageSize: 500 })) {
      for (const event of page) {
        states.set(event.stream, evolveApiKey(states.get(event.stream) ?? initialApiKeyState(), { type: event.type, data: event.data } as ApiKeyEvent));
      }
    }
    return [...states.values()];
  }

  #load(id: string) {
    return loadStream(this.deps.store, apiKeyStreamName(id), API_KEY);
  }
}
