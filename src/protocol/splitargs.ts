// Splits a line into arguments the way Redis's sdssplitargs does (inline commands, redis.conf
// lines, redis-cli input): spaces separate, "double quotes" take \n \r \t \b \a \\ \" and \xHH
// escapes, 'single quotes' take \'. A closing quote must be followed by a space or the end.
// Returns null for unbalanced quotes. Strings are latin1: one char per byte.

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

function isSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';
}

function hexVal(c: string): number {
  const x = parseInt(c, 16);
  return Number.isNaN(x) ? -1 : x;
}

export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i]!)) i++;
    if (i >= n) return out;
    let inDq = false;
    let inSq = false;
    let cur = '';
    let done = false;
    while (!done) {
      const c = line[i];
      if (inDq) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === 'x' && hexVal(line[i + 2] ?? 'z') >= 0 && hexVal(line[i + 3] ?? 'z') >= 0) {
          cur += String.fromCharCode(hexVal(line[i + 2]!) * 16 + hexVal(line[i + 3]!));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          const e = line[++i]!;
          cur += ESCAPES[e] ?? e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (inSq) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (c === undefined || isSpace(c)) {
        done = true;
      } else if (c === '"') {
        inDq = true;
      } else if (c === "'") {
        inSq = true;
      } else {
        cur += c;
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}
