/**
 * Sealing: AES-256-GCM encryption of a value under a 32-byte key, bound to a context (the
 * additional authenticated data, e.g. the customer id, so that a sealed value moved to
 * another customer does not open). Used for the personal fields of events (each customer's
 * data key) and for wrapping those data keys (the master key). Pure apart from the random IV.
 *
 * A sealed value is text: `v1.<iv>.<ciphertext>.<tag>`, each part base64url. A wrong key, a
 * wrong context or a changed byte makes `unseal` throw SealBroken.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = "v1";

export class SealBroken extends Error {
  override readonly name = "SealBroken";
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`An AES-256 key is ${KEY_BYTES} bytes, not ${key.length}`);
}

export function seal(plaintext: Buffer, key: Buffer, context: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [VERSION, iv.toString("base64url"), ciphertext.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
}

export function unseal(sealed: string, key: Buffer, context: string): Buffer {
  checkKey(key);
  const parts = sealed.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SealBroken("Not a sealed value");
  const [iv, ciphertext, tag] = parts.slice(1).map((part) => Buffer.from(part, "base64url")) as [Buffer, Buffer, Buffer];
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SealBroken("Not a sealed value");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new SealBroken("The sealed value does not open with this key and context");
  }
}

export const isSealed = (value: unknown): value is string => typeof value === "string" && value.startsWith(`${VERSION}.`) && value.split(".").length === 4;

/** A new random data key. */
export const newDataKey = (): Buffer => randomBytes(KEY_BYTES);
