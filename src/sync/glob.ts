/**
 * Glob matching with two wildcards: `*` (any run of characters, also none) and `?` (exactly one
 * character). Every other character matches itself, case-sensitively; there is no escape syntax
 * and no character class, so a user's pattern is never compiled into a regular expression.
 * Characters are Unicode code points. Runs in O(text × pattern) at worst, without recursion.
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  /** Where the last `*` was, and the text position it has swallowed up to. */
  let starAt = -1;
  let starText = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      starAt = pi++;
      starText = ti;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      ti = ++starText;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
