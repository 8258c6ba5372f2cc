/**
 * Secret API keys (Medusa's `sk_...` keys): the aggregate, its events and `evolve`. The
 * key itself is shown once, when it is created, and never stored; only its SHA-256 is, in
 * the lookup stream that finds the key from the secret (see secretLookup.ts). Pure.
 */
import { Failure } from "../errors.js";
export interface ApiKeyFields {
  id: string;
  title: string;
  /** The first and last characters, as Medusa shows a key (`sk_abc***xyz`). */
  redacted: string;
  created_by: string;
  created_at: string;
}

export type ApiKeyCreated = { type: "ApiKeyCreated"; data: ApiKeyFields };
export type ApiKeyRevoked = { type: "ApiKeyRevoked"; data: { id: string; revoked_by: string; revoked_at: string } };
export type ApiKeyEvent = ApiKeyCreated | ApiKeyRevoked;

export type ApiKeyState =
  | { status: "absent" }
  | { status: "active"; key: ApiKeyFields }
  | { status: "revoked"; key: ApiKeyFields; revoked_at: string };

export const initialApiKeyState = (): ApiKeyState => ({ status: "absent" });

export function evolveApiKey(state: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  switch (event.type) {
    case "ApiKeyCreated":
      return { status: "active", key: event.data };
    case "ApiKeyRevoked":
      return state.status === "active" ? { status: "revoked", key: state.key, revoked_at: event.data.revoked_at } : state;
  }
}

export const API_KEY_STREAM_PREFIX = "api_key-";
export const apiKeyStreamName = (id: string): string => `${API_KEY_STREAM_PREFIX}${id}`;

export class ApiKeyNotFound extends Failure {
  override readonly name = "ApiKeyNotFound";
  readonly kind = "not_found";
  constructor(readonly id: string) {
    super(`ApiKey with id: ${id} was not found`);
  }
}

export class ApiKeyAlreadyExists extends Failure {
  override readonly name = "ApiKeyAlreadyExists";
  readonly kind = "taken";
  constructor(readonly id: string) {
    super(`ApiKey with id: ${id} already exists`);
  }
}

export interface CreateApiKey {
  type: "CreateApiKey";
  data: { id: string; title: string; secret: string; created_by: string; now: Date };
}

export function decideCreateApiKey(command: CreateApiKey, state: ApiKeyState): ApiKeyEvent[] {
  if (state.status !== "absent") throw new ApiKeyAlreadyExists(command.data.id);
  const { id, title, secret, created_by, now } = command.data;
  return [{ type: "ApiKeyCreated", data: { id, title, redacted: redact(secret), created_by, created_at: now.toISOString() } }];
}

export interface RevokeApiKey {
  type: "RevokeApiKey";
  data: { id: string; revoked_by: string; now: Date };
}

/** Revoking twice changes nothing. */
export function decideRevokeApiKey(command: RevokeApiKey, state: ApiKeyState): ApiKeyEvent[] {
  if (state.status === "absent") throw new ApiKeyNotFound(command.data.id);
  if (state.status === "revoked") return [];
  const { id, revoked_by, now } = command.data;
  return [{ type: "ApiKeyRevoked", data: { id, revoked_by, revoked_at: now.toISOString() } }];
}

export const redact = (secret: string): string => `${secret.slice(0, 6)}***${secret.slice(-3)}`;
