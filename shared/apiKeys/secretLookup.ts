/**
 * Finding a key from its secret without keeping the secret: one stream per key, named by
 * the SHA-256 of the secret, holding the key's id. A fast unsalted hash is enough here (a
 * password would need scrypt): the secrets are 256 random bits, so no dictionary or
 * brute-force search of the hash can find one, and a fast hash lets every request with a
 * key be checked in microseconds.
 */
import { createHash } from "node:crypto";

export type ApiKeySecretRegistered = { type: "ApiKeySecretRegistered"; data: { api_key_id: string; registered_at: string } };

export const secretLookupStreamName = (secret: string): string => `api_key_secret-${createHash("sha256").update(secret).digest("hex")}`;

/** The id of the key the lookup stream points at, if it has one. */
export function keyIdOf(events: Array<{ type: string; data: unknown }>): string | undefined {
  const registered = events.find((event): event is ApiKeySecretRegistered => event.type === "ApiKeySecretRegistered");
  return registered?.data.api_key_id;
}
