// SCAN, and the cursor/option parsing that SSCAN, HSCAN and ZSCAN share with it.
// Cursors are Db sequence numbers (see Db.scan): a key present for the whole iteration is
// always returned, whatever is added or removed meanwhile.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { eqi, parseIntArg } from './args.js';
import { globMatch } from '../store/glob.js';

const ULONG_MAX = 18446744073709551615n;
const DIGITS = /^[0-9]+$/;

/**
 * A cursor as Redis's strtoul-based parser accepts it: decimal digits with an optional sign
 * (a negative value wraps around, as strtoul does), no whitespace, within 64 bits; the empty
 * string is cursor 0. Null when invalid.
 */
export function parseScanCursor(s: string): bigint | null {
  let digits = s;
  let neg = false;
  if (s.length > 0 && (s[0] === '+' || s[0] === '-')) {
    neg = s[0] === '-';
    digits = s.slice(1);
    if (digits.length === 0) return null;
  }
  if (digits.length === 0) return 0n;
  if (!DIGITS.test(digits)) return null;
  const v = BigInt(digits);
  if (v > ULONG_MAX) return null;
  return neg && v !== 0n ? ULONG_MAX + 1n - v : v;
}

/** Parses the cursor argument, replying "invalid cursor" when it is not one. */
export function scanCursorOrReply(c: Client, s: string): bigint | null {
  const cur = parseScanCursor(s);
  if (cur === null) c.reply.error('invalid cursor');
  return cur;
}

export interface ScanOptions {
  count: number;
  /** Null when there is no pattern or it is exactly "*" (matches everything). */
  pattern: string | null;
  /** TYPE filter (SCAN only), as given. */
  type: string | null;
}

/**
 * Parses COUNT / MATCH (and TYPE when allowType) from argv[start]; null after replying with
 * an error. Later options win, like Redis.
 */
export function parseScanOptions(
  c: Client,
  argv: readonly string[],
  start: number,
  allowType: boolean,
): ScanOptions | null {
  const opts: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = start; i < argv.length; i += 2) {
    const opt = argv[i]!;
    const more = argv.length - i >= 2;
    if (more && eqi(opt, 'count')) {
      const n = parseIntArg(argv[i + 1]!);
      if (n === null) {
        c.reply.error(E.notInteger);
        return null;
      }
      if (n < 1) {
        c.reply.error(E.syntax);
        return null;
      }
      opts.count = n;
    } else if (more && eqi(opt, 'match')) {
      const p = argv[i + 1]!;
      opts.pattern = p === '*' ? null : p;
    } else if (more && allowType && eqi(opt, 'type')) {
      opts.type = argv[i + 1]!.toLowerCase();
    } else {
      c.reply.error(E.syntax);
      return null;
    }
  }
  return opts;
}

/** The two-element SCAN reply: the next cursor as a bulk string, then the items. */
export function scanReply(c: Client, cursor: bigint | number, items: readonly string[]): void {
  c.reply.arrayLen(2);
  c.reply.bulk(String(cursor));
  c.reply.bulkArray(items);
}

export const scanCommands: CommandImpls = {
  scan(c, argv) {
    const cursor = scanCursorOrReply(c, argv[1]!);
    if (cursor === null) return;
    const opts = parseScanOptions(c, argv, 2, true);
    if (opts === null) return;
    const db = c.db;
    const { pattern, type } = opts;
    const keys: string[] = [];
    const next = db.scan(Number(cursor), opts.count, (k, e) => {
      if (pattern !== null && !globMatch(pattern, k)) return;
      if (type !== null) {
        // Redis looks the key up (counting a keyspace hit) to learn its type.
        db.lookupRead(k, false);
        if (e.type !== type) return;
      }
      keys.push(k);
    });
    scanReply(c, next, keys);
  },
};
