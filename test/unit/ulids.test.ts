import t from "tap";
import { ulidFactory } from "../../shared/runtime/ulids.js";

t.test("ids are ULIDs, unique and in the order made, past many refills of the random pool", async (t) => {
  const next = ulidFactory();
  const ids = Array.from({ length: 5000 }, () => next());
  t.ok(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)), "Crockford base32, 26 characters");
  t.equal(new Set(ids).size, ids.length, "unique");
  t.same([...ids].sort(), ids, "sorted as made");
  const randomParts = new Set(ids.map((id) => id.slice(10)));
  t.ok(randomParts.size === ids.length, "random parts differ");
  const characters = new Set(ids.flatMap((id) => [...id.slice(10)]));
  t.ok(characters.size >= 30, "the random part uses the whole alphabet");
});
