// Parsing and validation of a config value by type, with Redis 7.0.15's rules and error
// texts (boolConfigSet, numericParseString + numericBoundaryCheck, enumConfigSet,
// stringConfigSet, the special configs' own setters). The result is the GET form.

import type { ConfigEntry, NumericSpec, SpecialContext } from './types.js';
import { memtoull, strtoll, toSigned64, toUnsigned64 } from './values.js';
import { parseInt64 } from '../commands/args.js';

export type Normalized = string | { error: string };

const READING: SpecialContext = { reading: true, saveLoaded: false, current: '', chdir: true };

/**
 * Validates arguments for an entry and returns the GET form, or the error text. Single-value
 * configs take exactly one argument; `ctx` matters for special configs only.
 */
export function normalize(
  e: ConfigEntry,
  args: readonly string[],
  ctx: SpecialContext = { ...READING, current: e.default },
): Normalized {
  if (e.type === 'special') return e.special!.parse(args, ctx);
  if (e.type === 'enum') return parseEnum(e, args);
  if (args.length !== 1) return { error: 'wrong number of arguments' };
  const v = args[0]!;
  let out: Normalized;
  switch (e.type) {
    case 'bool': {
      const l = v.toLowerCase();
      out = l === 'yes' || l === 'no' ? l : { error: "argument must be 'yes' or 'no'" };
      break;
    }
    case 'int':
      out = parseNumeric(e, v);
      break;
    default:
      out = v;
  }
  if (typeof out === 'string' && e.validate) {
    const err = e.validate(out);
    if (err !== null) return { error: err };
  }
  return out;
}

function parseEnum(e: ConfigEntry, args: readonly string[]): Normalized {
  const bitflags = e.multiArg === true;
  const vals = e.values!;
  let value = 0;
  let ok = args.length > 0 && (bitflags || args.length === 1);
  for (const a of ok ? args : []) {
    const l = a.toLowerCase();
    const hits = vals.filter(([n]) => n === l);
    if (hits.length === 0) {
      ok = false;
      break;
    }
    for (const [, bit] of hits) value |= bit;
  }
  if (!ok) return { error: `argument(s) must be one of the following: ${vals.map(([n]) => n).join(', ')}` };
  const name = enumName(e, value);
  const err = e.validate?.(name) ?? null;
  return err === null ? name : { error: err };
}

/** configEnumGetName: the first exact match, else the bit-flag names that compose the value. */
export function enumName(e: ConfigEntry, value: number): string {
  const bitflags = e.multiArg === true;
  const names: string[] = [];
  let unmatched = value;
  for (const [n, v] of e.values!) {
    if (v === value) return n;
    if (bitflags && v !== 0 && (unmatched & v) === v) {
      names.push(n);
      unmatched &= ~v;
    }
  }
  return names.length === 0 || unmatched !== 0 ? 'unknown' : names.join(' ');
}

/** The enum value behind a GET form (used to compare with the default). */
export function enumValue(e: ConfigEntry, shown: string): number {
  let value = 0;
  for (const w of shown.split(' ')) value |= e.values!.find(([n]) => n === w)?.[1] ?? 0;
  return value;
}

function parseNumericString(spec: NumericSpec, v: string): bigint | { error: string } {
  if (spec.memory) {
    const m = memtoull(v);
    if (m !== null) return toSigned64(m);
  }
  if (spec.percent && v.length > 1 && v.endsWith('%')) {
    const p = parseInt64(v.slice(0, -1));
    if (p !== null && p >= 0n) return -p;
  }
  if (spec.octal) {
    const r = strtoll(v, 8);
    if (!r.overflow && r.end === v.length) return r.value;
  }
  if (!spec.memory && !spec.percent && !spec.octal) {
    const n = parseInt64(v);
    if (n !== null) return n;
  }
  if (spec.memory && spec.percent) return { error: 'argument must be a memory or percent value' };
  if (spec.memory) return { error: 'argument must be a memory value' };
  if (spec.octal) return { error: "argument couldn't be parsed as an octal number" };
  return { error: "argument couldn't be parsed into an integer" };
}

function boundsError(spec: NumericSpec, ll: bigint): string | null {
  if (spec.unsigned) {
    const u = toUnsigned64(ll);
    const lo = toUnsigned64(spec.min);
    const hi = toUnsigned64(spec.max);
    if (u <= hi && u >= lo) return null;
    const f = (x: bigint): string => (spec.octal ? x.toString(8) : String(x));
    return `argument must be between ${f(lo)} and ${f(hi)} inclusive`;
  }
  if (spec.percent && ll < 0n) {
    return ll < spec.min ? `percentage argument must be less or equal to ${-spec.min}` : null;
  }
  if (ll > spec.max || ll < spec.min) return `argument must be between ${spec.min} and ${spec.max} inclusive`;
  return null;
}

/** The GET form of a numeric value (numericConfigGet). */
export function formatNumeric(spec: NumericSpec, ll: bigint): string {
  if (spec.percent && ll < 0n) return `${-ll}%`;
  if (spec.memory) return String(toUnsigned64(ll));
  if (spec.octal) return toUnsigned64(ll).toString(8);
  return String(spec.unsigned ? toUnsigned64(ll) : ll);
}

/** The signed value behind a numeric GET form ("10%" is -10, octal read as octal). */
export function numericFromShown(spec: NumericSpec, shown: string): bigint {
  if (spec.percent && shown.endsWith('%')) return -BigInt(shown.slice(0, -1));
  if (spec.octal) return BigInt('0o' + shown);
  return toSigned64(BigInt(shown));
}

function parseNumeric(e: ConfigEntry, v: string): Normalized {
  const spec = e.numeric!;
  let ll = parseNumericString(spec, v);
  if (typeof ll !== 'bigint') return ll;
  const err = boundsError(spec, ll);
  if (err !== null) return { error: err };
  if (e.clamp) ll = e.clamp(ll);
  return formatNumeric(spec, ll);
}
