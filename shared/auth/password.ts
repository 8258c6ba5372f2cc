/**
 * Password hashes for admin users: scrypt (node:crypto) with a random salt, written as a
 * PHC-style string that carries its own parameters, `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`,
 * so the cost can be raised later without invalidating stored hashes. The default cost is
 * the one Medusa's emailpass provider uses (logN 15, r 8, p 1).
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from "node:crypto";

export interface ScryptCost {
  /** log2 of scrypt's N. */
  ln: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { ln: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function scrypt(password: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
  const N = 2 ** cost.ln;
  // Node refuses above 32 MiB by default; scrypt needs 128 * N * r bytes (and some slack).
  const maxmem = 256 * N * cost.r;
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize("NFC"), salt, length, { N, r: cost.r, p: cost.p, maxmem }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const b64 = (buffer: Buffer): string => buffer.toString("base64").replace(/=+$/, "");

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, cost, KEY_BYTES);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
}

/** False for a wrong password and for a hash this module cannot read. Compares in constant time. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const match = FORMAT.exec(hash);
  if (!match) return false;
  const cost = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (cost.ln < 1 || cost.ln > 20 || cost.r < 1 || cost.p < 1) return false;
  const expected = Buffer.from(match[5]!, "base64");
  const actual = await scrypt(password, Buffer.from(match[4]!, "base64"), cost, expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * A hash no password matches, of the default cost. Verifying against it when an email is
 * unknown makes a failed login take as long whether or not the email exists.
 */
export const UNMATCHABLE_HASH = `$scrypt$ln=${DEFAULT_SCRYPT_COST.ln},r=${DEFAULT_SCRYPT_COST.r},p=${DEFAULT_SCRYPT_COST.p}$${b64(Buffer.alloc(SALT_BYTES))}$${b64(Buffer.alloc(KEY_BYTES))}`;
