// Password strength as the checklist states it: at least 32 random characters. "Random" is
// judged by estimated entropy and by the absence of words and patterns people type.

/** Fragments that mark a password as chosen by a person rather than generated. */
const WORDS = [
  'password',
  'passwd',
  'secret',
  'redis',
  'admin',
  'changeme',
  'letmein',
  'qwerty',
  'welcome',
  'default',
  'example',
  'strong',
  'master',
  'foobar',
  'abcdef',
  '123456',
  '654321',
];

/**
 * Short words that count only as a token of their own (at an end, or next to a character
 * that is not a letter or digit: "test-pass", "root_1"): inside random base64 they turn up
 * by chance once in ~20,000 passwords, and a generated password must not be called weak.
 */
const SHORT_WORDS = /(?:^|[^a-z0-9])(?:root|test|here)(?:$|[^a-z0-9])/;

/**
 * Below this many bits of estimated entropy a password is weak. The Shannon estimate of a
 * generated 32-character hex password (128 random bits) is ~116 bits on average but falls to
 * ~91 bits for one in 200,000; 80 keeps generated passwords clear of it, while typed ones
 * usually fail the word or pattern checks first.
 */
const MIN_BITS = 80;

export interface Strength {
  readonly weak: boolean;
  /** Why it is weak (no characters of the password itself). */
  readonly reason: string;
}

/** Shannon entropy of the character distribution, times the length (bits). */
export function entropyBits(p: string): number {
  const counts = new Map<string, number>();
  for (const ch of p) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const q = n / p.length;
    h -= q * Math.log2(q);
  }
  return h * p.length;
}

export function passwordStrength(p: string): Strength {
  if (p.length < 32) return { weak: true, reason: `${p.length} characters, fewer than 32` };
  const lower = p.toLowerCase();
  const word = WORDS.find((w) => lower.includes(w));
  if (word !== undefined || SHORT_WORDS.test(lower))
    return { weak: true, reason: 'contains a dictionary word or common pattern' };
  if (/(.)\1{5,}/.test(p)) return { weak: true, reason: 'contains a run of repeated characters' };
  const distinct = new Set(p).size;
  if (distinct < 8) return { weak: true, reason: `only ${distinct} distinct characters` };
  const bits = entropyBits(p);
  if (bits < MIN_BITS) return { weak: true, reason: `low entropy (about ${Math.round(bits)} bits)` };
  return { weak: false, reason: '' };
}
