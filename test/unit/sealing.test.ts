/**
 * Sealing (AES-256-GCM bound to a context) and the master key: a sealed value opens only with
 * its key and its context, any changed byte is refused, and master keys are read from hex or
 * base64 and refused otherwise.
 */
import { randomBytes } from "node:crypto";
import t from "tap";
import { MasterKeyInvalid, masterKey, parseMasterKey } from "../../shared/crypto/masterKey.js";
import { SealBroken, isSealed, seal, unseal } from "../../shared/crypto/sealing.js";

t.test("a sealed value opens with its key and context, and with nothing else", async (t) => {
  const key = randomBytes(32);
  const sealed = seal(Buffer.from("ada@example.com"), key, "cus_1");
  t.ok(isSealed(sealed));
  t.notOk(sealed.includes("ada"), "nothing of the plaintext shows");
  t.equal(unseal(sealed, key, "cus_1").toString(), "ada@example.com");
  t.not(seal(Buffer.from("ada@example.com"), key, "cus_1"), sealed, "a new IV each time");
  t.throws(() => unseal(sealed, randomBytes(32), "cus_1"), SealBroken, "another key");
  t.throws(() => unseal(sealed, key, "cus_2"), SealBroken, "another context");
  const parts = sealed.split(".");
  const ciphertext = Buffer.from(parts[2]!, "base64url");
  ciphertext[0] = ciphertext[0]! ^ 1;
  t.throws(() => unseal([parts[0], parts[1], ciphertext.toString("base64url"), parts[3]].join("."), key, "cus_1"), SealBroken, "a flipped bit");
  t.throws(() => unseal("v1.abc", key, "cus_1"), SealBroken, "not a sealed value");
  t.throws(() => seal(Buffer.from("x"), randomBytes(16), "cus_1"), RangeError, "a key of the wrong size");
});

t.test("the master key: hex or base64, 32 bytes; it wraps data keys bound to their subject", async (t) => {
  const bytes = randomBytes(32);
  t.same(parseMasterKey(bytes.toString("hex")), bytes);
  t.same(parseMasterKey(` ${bytes.toString("base64")}\n`), bytes);
  t.throws(() => parseMasterKey("too short"), MasterKeyInvalid);
  t.throws(() => parseMasterKey(randomBytes(16).toString("hex")), MasterKeyInvalid);
  const master = masterKey(bytes);
  t.match(master.id, /^[0-9a-f]{8}$/);
  const dataKey = randomBytes(32);
  const wrapped = master.wrap(dataKey, "cus_1");
  t.same(master.unwrap(wrapped, "cus_1"), dataKey);
  t.throws(() => master.unwrap(wrapped, "cus_2"), SealBroken);
});
