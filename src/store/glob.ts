// Glob-style matching with the exact semantics of Redis's stringmatchlen (KEYS, SCAN MATCH,
// PSUBSCRIBE, ACL key patterns, CONFIG GET): `*` `?` `[abc]` `[^a]` `[a-z]` and `\` escapes,
// including its quirks (an unterminated `[` class runs to the end of the pattern, reversed
// ranges are swapped, range bounds compare as signed chars, an empty subject only matches
// an empty pattern). Strings are latin1: one char per byte.
//
// Redis recurses at every `*`; this is the iterative form that only ever backtracks to the
// most recent star. Every other token consumes exactly one character, so that is complete,
// and the work is bounded by O(pattern × subject) whatever the pattern.

const STAR = 42; // '*'
const QUESTION = 63; // '?'
const OPEN = 91; // '['
const CLOSE = 93; // ']'
const BACKSLASH = 92; // '\\'
const CARET = 94; // '^'
const DASH = 45; // '-'

/** C tolower() in the "C" locale: only A-Z change. */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as a (signed) C char, the way Redis compares range bounds. */
function signedChar(c: number): number {
  return c >= 128 ? c - 256 : c;
}

/** glibc tolower() of a signed char: negative values map to their byte value, except EOF (-1). */
function lowerSigned(c: number): number {
  return c < -1 ? c + 256 : lower(c);
}

/**
 * Matches one `[...]` class starting at pattern[p] === '[' against the code c. Returns the
 * index just past the class when it matches, or -1.
 */
function matchClass(pattern: string, p: number, c: number, nocase: boolean): number {
  const plen = pattern.length;
  p++;
  const not = p < plen && pattern.charCodeAt(p) === CARET;
  if (not) p++;
  let match = false;
  for (;;) {
    const pc = p < plen ? pattern.charCodeAt(p) : -1;
    if (pc === BACKSLASH && plen - p >= 2) {
      p++;
      if (pattern.charCodeAt(p) === c) match = true;
    } else if (pc === CLOSE) {
      break;
    } else if (p >= plen) {
      // Unterminated: the class is everything up to the end of the pattern.
      p--;
      break;
    } else if (plen - p >= 3 && pattern.charCodeAt(p + 1) === DASH) {
      let start = signedChar(pc);
      let end = signedChar(pattern.charCodeAt(p + 2));
      let ch = signedChar(c);
      if (start > end) [start, end] = [end, start];
      if (nocase) {
        start = lowerSigned(start);
        end = lowerSigned(end);
        ch = lowerSigned(ch);
      }
      p += 2;
      if (ch >= start && ch <= end) match = true;
    } else if (nocase ? lower(pc) === lower(c) : pc === c) {
      match = true;
    }
    p++;
  }
  if (not) match = !match;
  return match ? p + 1 : -1;
}

/**
 * Matches the single-character token at pattern[p] (anything but `*`) against the code c.
 * Returns the index of the next token when it matches, or -1.
 */
function matchToken(pattern: string, p: number, c: number, nocase: boolean): number {
  let pc = pattern.charCodeAt(p);
  if (pc === QUESTION) return p + 1;
  if (pc === OPEN) return matchClass(pattern, p, c, nocase);
  if (pc === BACKSLASH && pattern.length - p >= 2) pc = pattern.charCodeAt(++p);
  const ok = nocase ? lower(pc) === lower(c) : pc === c;
  return ok ? p + 1 : -1;
}

/** True when the whole of s matches the glob pattern (Redis stringmatchlen semantics). */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  const plen = pattern.length;
  const slen = s.length;
  // Redis's loop never runs on an empty subject, so "*" does not match "".
  if (slen === 0) return plen === 0;
  let p = 0;
  let i = 0;
  // Where to resume after the last star: pattern index after it, subject index it covers up to.
  let starP = -1;
  let starS = 0;
  for (;;) {
    if (i === slen) {
      while (p < plen && pattern.charCodeAt(p) === STAR) p++;
      if (p === plen) return true;
    } else if (p < plen) {
      if (pattern.charCodeAt(p) === STAR) {
        while (p + 1 < plen && pattern.charCodeAt(p + 1) === STAR) p++;
        if (p + 1 === plen) return true;
        starP = p + 1;
        starS = i;
        p = starP;
        continue;
      }
      const next = matchToken(pattern, p, s.charCodeAt(i), nocase);
      if (next >= 0) {
        p = next;
        i++;
        continue;
      }
    }
    // Mismatch: let the last star swallow one more character, if there is one to swallow.
    if (starP < 0) return false;
    starS++;
    if (starS >= slen) return false;
    p = starP;
    i = starS;
  }
}
