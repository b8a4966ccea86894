// The `cjson` library as Redis ships it (lua-cjson with its default settings): encode with
// numbers in %.14g, '/' escaped, arrays detected from positive integer keys (sparse ones
// refused), empty tables as {}; decode to tables, cjson.null for null. The configuration
// functions are accepted and return their current value; they do not change behaviour.

import { type LuaState, type LuaCFunction, lua, lstr, getStr, pushStr, raiseAt, toLua, fromLua } from './lua.js';
import { fmtG } from '../protocol/numfmt.js';

/** cjson.null: a light userdata standing for JSON null. */
const NULL_MARK = { cjsonNull: true };
const MAX_DEPTH = 1000;

/** Per-state settings (they persist between scripts, as in Redis). */
interface CjsonConfig {
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  /** false: refuse NaN/Inf; true: write nan/inf; 'null': write null. */
  encodeInvalid: boolean | 'null';
  decodeInvalid: boolean;
  precision: number;
}

function fmtNumber(n: number, precision = 14): string {
  return fmtG(n, precision);
}

function escapeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x2f) out += '\\/';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\u00' + c.toString(16).padStart(2, '0');
    else out += s[i];
  }
  return out + '"';
}

function encodeError(L: LuaState, type: string, why: string): never {
  return raiseAt(L, `Cannot serialise ${type}: ${why}`);
}

/** Array length when the table at idx is an array (positive integer keys), -1 otherwise. */
function arrayLength(L: LuaState, idx: number): number {
  let max = 0;
  let items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
      const k = lua.lua_tonumber(L, -2);
      if (Number.isInteger(k) && k >= 1) {
        if (k > max) max = k;
        items++;
        lua.lua_pop(L, 1);
        continue;
      }
    }
    lua.lua_pop(L, 2);
    return -1;
  }
  if (max > items * 2 && max > 10) encodeError(L, 'table', 'excessively sparse array');
  return max;
}

function encodeValue(L: LuaState, idx: number, depth: number, out: string[], cfg: CjsonConfig): void {
  const type = lua.lua_type(L, idx);
  switch (type) {
    case lua.LUA_TSTRING:
      out.push(escapeString(getStr(L, idx)!));
      return;
    case lua.LUA_TNUMBER: {
      const n = lua.lua_tonumber(L, idx);
      if (!Number.isFinite(n)) {
        if (cfg.encodeInvalid === false) encodeError(L, 'number', 'must not be NaN or Inf');
        out.push(cfg.encodeInvalid === 'null' ? 'null' : Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf');
        return;
      }
      out.push(fmtNumber(n, cfg.precision));
      return;
    }
    case lua.LUA_TBOOLEAN:
      out.push(lua.lua_toboolean(L, idx) ? 'true' : 'false');
      return;
    case lua.LUA_TNIL:
      out.push('null');
      return;
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, idx) === NULL_MARK) {
        out.push('null');
        return;
      }
      break;
    case lua.LUA_TTABLE:
      encodeTable(L, idx, depth + 1, out, cfg);
      return;
  }
  encodeError(L, typeName(type), 'type not supported');
}

function typeName(type: number): string {
  const names: Record<number, string> = {
    [lua.LUA_TNIL]: 'nil',
    [lua.LUA_TBOOLEAN]: 'boolean',
    [lua.LUA_TLIGHTUSERDATA]: 'userdata',
    [lua.LUA_TNUMBER]: 'number',
    [lua.LUA_TSTRING]: 'string',
    [lua.LUA_TTABLE]: 'table',
    [lua.LUA_TFUNCTION]: 'function',
  };
  return names[type] ?? (type === 7 ? 'userdata' : 'thread');
}

function encodeTable(L: LuaState, idx: number, depth: number, out: string[], cfg: CjsonConfig): void {
  if (depth > cfg.encodeMaxDepth) raiseAt(L, `Cannot serialise, excessive nesting (${depth})`);
  lua.lua_checkstack(L, 4);
  const abs = idx < 0 ? lua.lua_gettop(L) + idx + 1 : idx;
  const len = arrayLength(L, abs);
  if (len > 0) {
    out.push('[');
    for (let i = 1; i <= len; i++) {
      if (i > 1) out.push(',');
      lua.lua_rawgeti(L, abs, i);
      encodeValue(L, lua.lua_gettop(L), depth, out, cfg);
      lua.lua_pop(L, 1);
    }
    out.push(']');
    return;
  }
  out.push('{');
  let first = true;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, abs) !== 0) {
    if (!first) out.push(',');
    first = false;
    const kt = lua.lua_type(L, -2);
    if (kt === lua.LUA_TSTRING) out.push(escapeString(getStr(L, -2)!));
    else if (kt === lua.LUA_TNUMBER) out.push('"' + fmtNumber(lua.lua_tonumber(L, -2)) + '"');
    else encodeError(L, typeName(kt), 'table key must be a number or string');
    out.push(':');
    encodeValue(L, lua.lua_gettop(L), depth, out, cfg);
    lua.lua_pop(L, 1);
  }
  out.push('}');
}

const encode =
  (cfg: CjsonConfig): LuaCFunction =>
  (L) => {
    if (lua.lua_gettop(L) !== 1) raiseAt(L, "bad argument #1 to 'encode' (expected 1 argument)");
    const out: string[] = [];
    encodeValue(L, 1, 0, out, cfg);
    pushStr(L, out.join(''));
    return 1;
  };

// ---- decode ----

class Decoder {
  pos = 0;
  depth = 0;
  constructor(
    readonly L: LuaState,
    readonly s: string,
    readonly cfg: CjsonConfig,
  ) {}

  fail(expected: string): never {
    const tok = this.tokenName();
    return raiseAt(this.L, `Expected ${expected} but found ${tok} at character ${this.pos + 1}`);
  }

  tokenName(): string {
    const c = this.s[this.pos];
    if (c === undefined) return 'T_END';
    const names: Record<string, string> = {
      '{': 'T_OBJ_BEGIN',
      '}': 'T_OBJ_END',
      '[': 'T_ARR_BEGIN',
      ']': 'T_ARR_END',
      '"': 'T_STRING',
      ':': 'T_COLON',
      ',': 'T_COMMA',
    };
    if (names[c] !== undefined) return names[c]!;
    if (/[-0-9]/.test(c)) return 'T_NUMBER';
    if (this.s.startsWith('true', this.pos) || this.s.startsWith('false', this.pos)) return 'T_BOOLEAN';
    if (this.s.startsWith('null', this.pos)) return 'T_NULL';
    return 'invalid token';
  }

  ws(): void {
    while (this.pos < this.s.length && ' \t\r\n'.includes(this.s[this.pos]!)) this.pos++;
  }

  value(): void {
    this.ws();
    const L = this.L;
    const c = this.s[this.pos];
    lua.lua_checkstack(L, 3);
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') {
      pushStr(L, this.string());
      return;
    }
    const special = /^-?(infinity|inf|nan)/i.exec(this.s.slice(this.pos, this.pos + 9));
    if (special !== null && this.cfg.decodeInvalid) {
      const neg = special[0].startsWith('-');
      const v = /nan/i.test(special[0]) ? NaN : neg ? -Infinity : Infinity;
      lua.lua_pushnumber(L, v);
      this.pos += special[0].length;
      return;
    }
    if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(this.s.slice(this.pos));
      if (m === null) this.fail('value');
      lua.lua_pushnumber(L, Number(m[0]));
      this.pos += m[0].length;
      return;
    }
    for (const [word, push] of [
      ['true', () => lua.lua_pushboolean(L, true)],
      ['false', () => lua.lua_pushboolean(L, false)],
      ['null', () => lua.lua_pushlightuserdata(L, NULL_MARK)],
    ] as const) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        push();
        return;
      }
    }
    this.fail('value');
  }

  string(): string {
    let out = '';
    this.pos++;
    for (;;) {
      const c = this.s[this.pos];
      if (c === undefined) this.fail('string end');
      this.pos++;
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.pos++];
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        '/': '/',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
      };
      if (e !== undefined && simple[e] !== undefined) out += simple[e];
      else if (e === 'u') out += this.unicode();
      else this.fail('valid escape');
    }
  }

  /** \uXXXX (with surrogate pairs) as UTF-8 bytes in a latin1 string. */
  unicode(): string {
    const hex = (): number => {
      const h = this.s.slice(this.pos, this.pos + 4);
      if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('valid unicode escape');
      this.pos += 4;
      return parseInt(h, 16);
    };
    let cp = hex();
    if (cp >= 0xd800 && cp <= 0xdbff && this.s.startsWith('\\u', this.pos)) {
      this.pos += 2;
      const lo = hex();
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    return fromLua(new TextEncoder().encode(String.fromCodePoint(cp)));
  }

  enter(): void {
    if (++this.depth > this.cfg.decodeMaxDepth)
      raiseAt(this.L, `Found too many nested data structures (${this.depth}) at character ${this.pos + 1}`);
  }

  array(): void {
    this.enter();
    const L = this.L;
    this.pos++;
    lua.lua_createtable(L, 0, 0);
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      this.depth--;
      return;
    }
    for (let i = 1; ; i++) {
      this.value();
      lua.lua_rawseti(L, -2, i);
      this.ws();
      const c = this.s[this.pos];
      if (c === ']') break;
      if (c !== ',') this.fail('comma or array end');
      this.pos++;
    }
    this.pos++;
    this.depth--;
  }

  object(): void {
    this.enter();
    const L = this.L;
    this.pos++;
    lua.lua_createtable(L, 0, 0);
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail('object key string');
      pushStr(L, this.string());
      this.ws();
      if (this.s[this.pos] !== ':') this.fail('colon');
      this.pos++;
      this.value();
      lua.lua_rawset(L, -3);
      this.ws();
      const c = this.s[this.pos];
      if (c === '}') break;
      if (c !== ',') this.fail('comma or object end');
      this.pos++;
    }
    this.pos++;
    this.depth--;
  }
}

const decode =
  (cfg: CjsonConfig): LuaCFunction =>
  (L) => {
    if (lua.lua_gettop(L) !== 1) raiseAt(L, "bad argument #1 to 'decode' (expected 1 argument)");
    const text = getStr(L, 1);
    if (text === null) raiseAt(L, "bad argument #1 to 'decode' (string expected)");
    const d = new Decoder(L, text, cfg);
    d.value();
    d.ws();
    if (d.pos < text.length) d.fail('the end');
    return 1;
  };

/** A numeric setting: with an argument (1..max) sets it; returns the current value. */
function numberSetting(get: () => number, set: (n: number) => void, max: number): LuaCFunction {
  return (L) => {
    if (lua.lua_gettop(L) >= 1 && lua.lua_type(L, 1) !== lua.LUA_TNIL) {
      const n = Math.trunc(lua.lua_tonumber(L, 1));
      if (!(n >= 1 && n <= max)) raiseAt(L, `bad argument #1 to '?' (expected integer between 1 and ${max})`);
      set(n);
    }
    lua.lua_pushnumber(L, get());
    return 1;
  };
}

/** An on/off setting (true/false, "on"/"off", and "null" where allowed). */
function boolSetting(
  get: () => boolean | 'null',
  set: (v: boolean | 'null') => void,
  allowNull: boolean,
): LuaCFunction {
  return (L) => {
    if (lua.lua_gettop(L) >= 1 && lua.lua_type(L, 1) !== lua.LUA_TNIL) {
      const t = lua.lua_type(L, 1);
      const s = t === lua.LUA_TSTRING ? getStr(L, 1)! : null;
      if (t === lua.LUA_TBOOLEAN) set(lua.lua_toboolean(L, 1));
      else if (s === 'on' || s === 'off') set(s === 'on');
      else if (s === 'null' && allowNull) set('null');
      else raiseAt(L, "bad argument #1 to '?' (invalid option)");
    }
    const v = get();
    if (v === 'null') pushStr(L, 'null');
    else lua.lua_pushboolean(L, v);
    return 1;
  };
}

/** Configuration getters/setters: they report the default and accept (ignore) new values. */
function setting(...values: (number | string | boolean)[]): LuaCFunction {
  return (L) => {
    for (const v of values) {
      if (typeof v === 'number') lua.lua_pushnumber(L, v);
      else if (typeof v === 'boolean') lua.lua_pushboolean(L, v);
      else lua.lua_pushstring(L, toLua(v));
    }
    return values.length;
  };
}

export function openCjson(L: LuaState): void {
  const cfg: CjsonConfig = {
    encodeMaxDepth: MAX_DEPTH,
    decodeMaxDepth: MAX_DEPTH,
    encodeInvalid: false,
    decodeInvalid: true,
    precision: 14,
  };
  const fns: Record<string, LuaCFunction> = {
    encode: encode(cfg),
    decode: decode(cfg),
    encode_sparse_array: setting(false, 2, 10),
    encode_max_depth: numberSetting(
      () => cfg.encodeMaxDepth,
      (n) => (cfg.encodeMaxDepth = n),
      2147483647,
    ),
    decode_max_depth: numberSetting(
      () => cfg.decodeMaxDepth,
      (n) => (cfg.decodeMaxDepth = n),
      2147483647,
    ),
    encode_number_precision: numberSetting(
      () => cfg.precision,
      (n) => (cfg.precision = n),
      14,
    ),
    encode_keep_buffer: setting(true),
    encode_invalid_numbers: boolSetting(
      () => cfg.encodeInvalid,
      (v) => (cfg.encodeInvalid = v),
      true,
    ),
    decode_invalid_numbers: boolSetting(
      () => cfg.decodeInvalid,
      (v) => (cfg.decodeInvalid = v === true),
      false,
    ),
    new: (S) => {
      openCjson(S);
      return 1;
    },
  };
  lua.lua_createtable(L, 0, 12);
  for (const [name, f] of Object.entries(fns)) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, lstr(name));
  }
  lua.lua_pushlightuserdata(L, NULL_MARK);
  lua.lua_setfield(L, -2, lstr('null'));
  pushStr(L, 'cjson');
  lua.lua_setfield(L, -2, lstr('_NAME'));
  pushStr(L, '2.1.0');
  lua.lua_setfield(L, -2, lstr('_VERSION'));
}
