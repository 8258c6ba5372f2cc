/**
 * Text folded the way a JavaScript pattern with the `i` flag (and no `u`) compares characters,
 * which is how the read models match a search (`q`, pattern.ts): each character upper-cased
 * when that gives one character, except that no other character becomes an ASCII one (so `ſ`
 * stays `ſ`), and characters outside the Basic Multilingual Plane unchanged. Two texts match
 * ignoring case exactly when their folded forms match, so a substring index over folded text
 * finds every document the pattern would, and no other.
 */
const ASCII = /^[\x00-\x7f]*$/;

export function foldCase(text: string): string {
  if (ASCII.test(text)) return text.toUpperCase();
  let folded = "";
  for (const character of text) {
    if (character.length > 1) {
      folded += character;
      continue;
    }
    const upper = character.toUpperCase();
    folded += upper.length === 1 && !(character.charCodeAt(0) >= 128 && upper.charCodeAt(0) < 128) ? upper : character;
  }
  return folded;
}
