// The multi-part AOF manifest of Redis 7: one line per file, `file <name> seq <n> type <b|h|i>`,
// the base first, then history files (waiting to be deleted), then the incremental files in
// order. The manifest is the single source of truth of which files make up the dataset; it is
// replaced atomically (temp file, fsync, rename) whenever that set changes.

import { splitArgs } from '../protocol/splitargs.js';
import { repr } from '../config/values.js';

export type AofFileType = 'b' | 'h' | 'i';

export interface AofInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

/** A manifest that cannot be used: Redis refuses to start, naming the line. */
export class ManifestError extends Error {
  constructor(
    message: string,
    readonly lineNo = 0,
    readonly line: string | null = null,
  ) {
    super(message);
  }
}

/** Longest manifest line Redis reads (longer ones are refused, not truncated). */
const MAX_LINE = 1024;

export class AofManifest {
  base: AofInfo | null = null;
  history: AofInfo[] = [];
  incr: AofInfo[] = [];
  baseSeq = 0;
  incrSeq = 0;

  clone(): AofManifest {
    const m = new AofManifest();
    m.base = this.base === null ? null : { ...this.base };
    m.history = this.history.map((a) => ({ ...a }));
    m.incr = this.incr.map((a) => ({ ...a }));
    m.baseSeq = this.baseSeq;
    m.incrSeq = this.incrSeq;
    return m;
  }

  get isEmpty(): boolean {
    return this.base === null && this.incr.length === 0;
  }

  /** A new base file name; the current base (if any) becomes history. */
  newBase(filename: string, rdbFormat: boolean): string {
    if (this.base !== null) this.history.unshift({ ...this.base, type: 'h' });
    const seq = ++this.baseSeq;
    this.base = { name: `${filename}.${seq}.base.${rdbFormat ? 'rdb' : 'aof'}`, seq, type: 'b' };
    return this.base.name;
  }

  /** A new incremental file, appended to the list. */
  newIncr(filename: string): string {
    const seq = ++this.incrSeq;
    const info: AofInfo = { name: `${filename}.${seq}.incr.aof`, seq, type: 'i' };
    this.incr.push(info);
    return info.name;
  }

  /** The incremental file being written (the last one), creating one if there is none. */
  lastIncr(filename: string): string {
    return this.incr.length === 0 ? this.newIncr(filename) : this.incr[this.incr.length - 1]!.name;
  }

  /** After a rewrite: every incremental file but the one in use (if `keepLast`) becomes history. */
  incrToHistory(keepLast: boolean): void {
    const keep = keepLast && this.incr.length > 0 ? [this.incr[this.incr.length - 1]!] : [];
    const old = keepLast ? this.incr.slice(0, -1) : this.incr;
    for (let i = old.length - 1; i >= 0; i--) this.history.unshift({ ...old[i]!, type: 'h' });
    this.incr = keep;
  }

  format(): string {
    let out = '';
    const line = (a: AofInfo): string =>
      `file ${needsRepr(a.name) ? repr(a.name) : a.name} seq ${a.seq} type ${a.type}\n`;
    if (this.base !== null) out += line(this.base);
    for (const a of this.history) out += line(a);
    for (const a of this.incr) out += line(a);
    return out;
  }

  static parse(text: string): AofManifest {
    const m = new AofManifest();
    if (text.length === 0) throw new ManifestError('Found an empty AOF manifest');
    let maxSeq = 0;
    let lineNo = 0;
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const raw = nl < 0 ? text.slice(pos) : text.slice(pos, nl + 1);
      pos = nl < 0 ? text.length : nl + 1;
      lineNo++;
      if (raw.startsWith('#')) continue;
      if (!raw.endsWith('\n') || raw.length > MAX_LINE) {
        throw new ManifestError('The AOF manifest file contains too long line', lineNo, raw.trim());
      }
      const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      if (line.length === 0) throw new ManifestError('Invalid AOF manifest file format', lineNo, line);
      const argv = splitArgs(line);
      if (argv === null || argv.length < 6 || argv.length % 2 !== 0) {
        throw new ManifestError('Invalid AOF manifest file format', lineNo, line);
      }
      const info = parseFields(argv, lineNo, line);
      if (info.type === 'b') {
        if (m.base !== null) throw new ManifestError('Found duplicate base file information', lineNo, line);
        m.base = info;
        m.baseSeq = info.seq;
      } else if (info.type === 'h') {
        m.history.push(info);
      } else if (info.type === 'i') {
        if (info.seq <= maxSeq) throw new ManifestError('Found a non-monotonic sequence number', lineNo, line);
        m.incr.push(info);
        m.incrSeq = info.seq;
        maxSeq = info.seq;
      } else {
        throw new ManifestError('Unknown AOF file type', lineNo, line);
      }
    }
    if (lineNo === 0) throw new ManifestError('Found an empty AOF manifest');
    return m;
  }
}

function parseFields(argv: string[], lineNo: number, line: string): AofInfo {
  let name = '';
  let seq = 0;
  let type = '';
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]!.toLowerCase();
    const v = argv[i + 1]!;
    if (k === 'file') {
      if (v.includes('/')) throw new ManifestError("File can't be a path, just a filename", lineNo, line);
      name = v;
    } else if (k === 'seq') {
      seq = atoll(v);
    } else if (k === 'type') {
      type = v[0] ?? '';
    }
    // Unknown keys are skipped: newer versions may add fields.
  }
  if (name === '' || seq === 0 || type === '')
    throw new ManifestError('Invalid AOF manifest file format', lineNo, line);
  return { name, seq, type: type as AofFileType };
}

/** C's atoll: leading digits (with sign), 0 when there are none. */
function atoll(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

/** sdsneedsrepr: names with spaces, quotes or unprintable bytes are written quoted. */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) return true;
  }
  return false;
}
