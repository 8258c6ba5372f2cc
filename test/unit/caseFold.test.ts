/**
 * foldCase folds as a case-insensitive JavaScript pattern compares: two characters match
 * ignoring case exactly when their folded forms are equal. Checked over the whole Basic
 * Multilingual Plane against the engine itself, with each character's other cases.
 */
import t from "tap";
import { foldCase } from "../../shared/readmodel/caseFold.js";
import { literalPattern } from "../../shared/readmodel/query.js";

t.test("every character of the Basic Multilingual Plane folds as the pattern engine compares", async (t) => {
  const disagreements: string[] = [];
  for (let code = 0; code <= 0xffff; code += 1) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const character = String.fromCharCode(code);
    const pattern = new RegExp(literalPattern(character), "i");
    const others = new Set([character.toLowerCase(), character.toUpperCase(), foldCase(character)].filter((other) => other.length === 1));
    for (const other of others) {
      const matches = pattern.test(other);
      if (matches !== (foldCase(other) === foldCase(character))) disagreements.push(`U+${code.toString(16)} and U+${other.charCodeAt(0).toString(16)}`);
    }
  }
  t.same(disagreements, [], "no character folds apart from one it matches, or with one it does not");
});

t.test("texts: ASCII upper-cased, other letters too, and no letter becomes an ASCII one", async (t) => {
  t.equal(foldCase("Ada.Lovelace@Example.com"), "ADA.LOVELACE@EXAMPLE.COM");
  t.equal(foldCase("Émile Zola"), "ÉMILE ZOLA");
  t.equal(foldCase("straße"), "STRAßE", "ß upper-cases to two letters: kept");
  t.equal(foldCase("ſ"), "ſ", "the long s would become an ASCII S: kept, as the pattern keeps it");
  t.equal(foldCase("a😀b"), "A😀B", "characters beyond the plane are kept");
  t.notOk(/s/i.test("ſ"), "the engine indeed does not match them");
});
