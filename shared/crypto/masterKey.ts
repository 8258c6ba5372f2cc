/**
 * The master key data keys are wrapped with: 32 bytes from configuration, written as 64 hex
 * digits or as base64. Its id (the first 8 hex digits of its SHA-256) is stored beside each
 * wrapped key, so that a key store read with another master key says so instead of failing
 * on every customer.
 */
import { createHash } from "node:crypto";
import { KEY_BYTES, seal, unseal } from "./sealing.js";

export interface MasterKey {
  readonly id: string;
  wrap(dataKey: Buffer, subject: string): string;
  unwrap(wrapped: string, subject: string): Buffer;
}

export class MasterKeyInvalid extends Error {
  override readonly name = "MasterKeyInvalid";
}

export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (bytes.length !== KEY_BYTES) throw new MasterKeyInvalid(`The master key must be ${KEY_BYTES} bytes: 64 hex digits or 44 base64 characters (e.g. \`openssl rand -hex 32\`)`);
  return bytes;
}

export function masterKey(bytes: Buffer): MasterKey {
  const id = createHash("sha256").update(bytes).digest("hex").slice(0, 8);
  // The subject is the context: a wrapped key copied onto another customer does not open.
  return {
    id,
    wrap: (dataKey, subject) => seal(dataKey, bytes, `data-key:${subject}`),
    unwrap: (wrapped, subject) => unseal(wrapped, bytes, `data-key:${subject}`),
  };
}
