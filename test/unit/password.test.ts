import t from "tap";
import { UNMATCHABLE_HASH, hashPassword, verifyPassword } from "../../shared/auth/password.js";

const cheap = { ln: 10, r: 8, p: 1 };

t.test("a hash verifies its own password and no other", async (t) => {
  const hash = await hashPassword("correct horse", cheap);
  t.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/, "parameters are recorded in the hash");
  t.ok(await verifyPassword("correct horse", hash));
  t.notOk(await verifyPassword("correct horse ", hash));
  t.notOk(await verifyPassword("", hash));
});

t.test("the same password gets a new salt each time", async (t) => {
  t.not(await hashPassword("pw", cheap), await hashPassword("pw", cheap));
});

t.test("the default cost is Medusa's (logN 15, r 8, p 1)", async (t) => {
  const hash = await hashPassword("pw");
  t.match(hash, /^\$scrypt\$ln=15,r=8,p=1\$/);
  t.ok(await verifyPassword("pw", hash));
});

t.test("unreadable hashes and the unmatchable hash never verify", async (t) => {
  t.notOk(await verifyPassword("pw", "plain"));
  t.notOk(await verifyPassword("pw", "$scrypt$ln=99,r=8,p=1$AAAA$AAAA"));
  t.notOk(await verifyPassword("", UNMATCHABLE_HASH));
  t.notOk(await verifyPassword("pw", UNMATCHABLE_HASH));
});

t.test("Unicode is normalised, so composed and decomposed forms match", async (t) => {
  const hash = await hashPassword("caf\u00e9", cheap);
  t.ok(await verifyPassword("cafe\u0301", hash));
});
