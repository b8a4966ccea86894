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
  'root',
  'test',
  'here',
  'foobar',
  'abcdef',
  '123456',
  '654321',
];

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
  if (word !== undefined) return { weak: true, reason: 'contains a dictionary word or common pattern' };
  if (/(.)\1{5,}/.test(p)) return { weak: true, reason: 'contains a run of repeated characters' };
  const distinct = new Set(p).size;
  if (distinct < 8) return { weak: true, reason: `only ${distinct} distinct characters` };
  // 32 random hex characters carry 128 bits; a Shannon estimate of random hex lands between 100 and 125.
  const bits = entropyBits(p);
  if (bits < 96) return { weak: true, reason: `low entropy (about ${Math.round(bits)} bits)` };
  return { weak: false, reason: '' };
}
