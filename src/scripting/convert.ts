// Conversions between Redis replies and Lua values, the way Redis 7.0 converts them:
// - a command's reply (RESP2 or RESP3 bytes from the script's own client) becomes a Lua value
//   (integers → numbers, nulls → false in RESP2 / nil in RESP3, status → {ok=}, error →
//   {err=}, RESP3 map/set/double/big number/verbatim → tables with a type field);
// - the script's return value becomes the caller's reply (numbers truncated to integers,
//   tables read as arrays up to the first nil, {ok=}/{err=}/{double=}... as those types).

import { ReplyWriter } from '../protocol/reply.js';
import { fmtG17 } from '../protocol/numfmt.js';
import { errorCode, sanitizeError } from '../protocol/errors.js';
import { type LuaState, lua, lstr, fromLua, pushStr, getStr } from './lua.js';

/** Fields of the error table: the message and whether it was already counted in errorstats. */
export const ERR_FIELD = 'err';
export const IGNORE_STATS_FIELD = 'ignore_error_stats_update';

/**
 * Pushes Redis's error table for a message: "-CODE rest" keeps CODE, a message without the
 * leading '-' gets "ERR"; a trailing CR/LF is trimmed.
 */
export function pushErrorTable(L: LuaState, text: string, ignoreStats = false): void {
  let code = 'ERR';
  let msg = text;
  if (text.startsWith('-')) {
    const sp = text.indexOf(' ');
    if (sp < 0) msg = text.slice(1);
    else {
      code = text.slice(1, sp);
      msg = text.slice(sp + 1);
    }
  }
  msg = msg.replace(/^[\r\n]+|[\r\n]+$/g, '');
  lua.lua_createtable(L, 0, 2);
  pushStr(L, code + ' ' + msg);
  lua.lua_setfield(L, -2, lstr(ERR_FIELD));
  if (ignoreStats) {
    lua.lua_pushboolean(L, true);
    lua.lua_setfield(L, -2, lstr(IGNORE_STATS_FIELD));
  }
}

class ReplyCursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  line(): string {
    const eol = this.buf.indexOf('\r\n', this.pos, 'latin1');
    const s = this.buf.toString('latin1', this.pos, eol);
    this.pos = eol + 2;
    return s;
  }

  bytes(n: number): string {
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n + 2;
    return s;
  }
}

function parseDouble(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (l === 'nan' || l === '-nan') return NaN;
  return Number(s);
}

/**
 * Pushes one reply read from a command's output as a Lua value; with push false the reply is
 * only skipped (RESP3 attributes are not shown to scripts).
 */
function pushReply(L: LuaState, cur: ReplyCursor, push: boolean): void {
  const type = String.fromCharCode(cur.buf[cur.pos]!);
  cur.pos++;
  const head = cur.line();
  if (push) lua.lua_checkstack(L, 5);
  switch (type) {
    case ':':
      if (push) lua.lua_pushnumber(L, Number(head));
      return;
    case '$': {
      const n = Number(head);
      if (n < 0) {
        if (push) lua.lua_pushboolean(L, false);
        return;
      }
      const s = cur.bytes(n);
      if (push) pushStr(L, s);
      return;
    }
    case '+':
      if (!push) return;
      lua.lua_createtable(L, 0, 1);
      pushStr(L, head);
      lua.lua_setfield(L, -2, lstr('ok'));
      return;
    case '-':
      if (push) pushErrorTable(L, '-' + head, true);
      return;
    case '*':
    case '>': {
      const n = Number(head);
      if (n < 0) {
        if (push) lua.lua_pushboolean(L, false);
        return;
      }
      if (push) lua.lua_createtable(L, n, 0);
      for (let j = 0; j < n; j++) {
        pushReply(L, cur, push);
        if (push) lua.lua_rawseti(L, -2, j + 1);
      }
      return;
    }
    case '%':
    case '~': {
      const n = Number(head);
      const isMap = type === '%';
      if (push) {
        lua.lua_createtable(L, 0, 1);
        lua.lua_createtable(L, 0, n);
      }
      for (let j = 0; j < n; j++) {
        pushReply(L, cur, push);
        if (isMap) pushReply(L, cur, push);
        else if (push) lua.lua_pushboolean(L, true);
        if (push) lua.lua_settable(L, -3);
      }
      if (push) lua.lua_setfield(L, -2, lstr(isMap ? 'map' : 'set'));
      return;
    }
    case '|': {
      const n = Number(head);
      for (let j = 0; j < 2 * n; j++) pushReply(L, cur, false);
      pushReply(L, cur, push);
      return;
    }
    case '_':
      if (push) lua.lua_pushnil(L);
      return;
    case '#':
      if (push) lua.lua_pushboolean(L, head === 't');
      return;
    case ',':
      if (!push) return;
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushnumber(L, parseDouble(head));
      lua.lua_setfield(L, -2, lstr('double'));
      return;
    case '(':
      if (!push) return;
      lua.lua_createtable(L, 0, 1);
      pushStr(L, head);
      lua.lua_setfield(L, -2, lstr('big_number'));
      return;
    case '=': {
      const s = cur.bytes(Number(head));
      if (!push) return;
      lua.lua_createtable(L, 0, 1);
      lua.lua_createtable(L, 0, 2);
      pushStr(L, s.slice(4));
      lua.lua_setfield(L, -2, lstr('string'));
      pushStr(L, s.slice(0, 3));
      lua.lua_setfield(L, -2, lstr('format'));
      lua.lua_setfield(L, -2, lstr('verbatim_string'));
      return;
    }
    default:
      throw new Error(`unexpected reply type '${type}' from a command run by a script`);
  }
}

/** Pushes the Lua value of one complete reply (the script client's output of one command). */
export function pushCommandReply(L: LuaState, reply: Buffer): void {
  pushReply(L, new ReplyCursor(reply), true);
}

/** Whether the reply text is an error (redis.call raises it). */
export function isErrorReply(reply: Buffer): boolean {
  return reply.length > 0 && reply[0] === 0x2d;
}

// ---- Lua → reply ----

/** How deep nested tables may go before the reply is cut with an error (Lua stack room). */
const MAX_DEPTH = 1000;

export interface ScriptError {
  msg: string;
  source: string | null;
  line: string | null;
  ignoreStats: boolean;
}

/**
 * Lua 5.3 words type errors "attempt to call a nil value (global 'f')"; scripts and tests
 * written for Redis expect Lua 5.1's "attempt to call global 'f' (a nil value)".
 */
export function lua51Message(msg: string): string {
  return msg.replace(
    /attempt to (call|index|perform arithmetic on|concatenate|perform bitwise operation on|get length of) a (\w+) value \((global|local|field|upvalue|method|constant) '([^']*)'\)/,
    (_m, op: string, type: string, kind: string, name: string) =>
      `attempt to ${op} ${kind === 'constant' ? 'field' : kind} '${name}' (a ${type} value)`,
  );
}

/** Reads {err=..., source=..., line=..., ignore_error_stats_update=...} at the stack top. */
export function readErrorTable(L: LuaState): ScriptError {
  const e: ScriptError = { msg: '', source: null, line: null, ignoreStats: false };
  if (lua.lua_isstring(L, -1)) e.msg = 'ERR ' + lua51Message(getStr(L, -1) ?? '');
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) return e;
  const field = (name: string): string | null => {
    lua.lua_getfield(L, -1, lstr(name));
    const v = lua.lua_isstring(L, -1) ? getStr(L, -1) : null;
    lua.lua_pop(L, 1);
    return v;
  };
  e.msg = lua51Message(field(ERR_FIELD) ?? e.msg);
  e.source = field('source');
  e.line = field('line');
  lua.lua_getfield(L, -1, lstr(IGNORE_STATS_FIELD));
  if (lua.lua_type(L, -1) === lua.LUA_TBOOLEAN) e.ignoreStats = lua.lua_toboolean(L, -1);
  lua.lua_pop(L, 1);
  return e;
}

/** Writes an error reply as given ("-" + text), counting it in errorstats unless told not to. */
export function writeScriptError(
  out: ReplyWriter,
  text: string,
  ignoreStats: boolean,
  count: (code: string) => void,
): void {
  const clean = sanitizeError(text);
  out.raw('-' + clean + '\r\n');
  out.errors++;
  if (!ignoreStats) count(errorCode(clean));
}

/** Converts a Lua number to the integer reply Redis sends ((long long) cast of a double). */
const TWO_63 = 2 ** 63;

function numberToInt(n: number): bigint {
  // Out of range (and NaN) converts to LLONG_MIN, as the x86 conversion Redis relies on does.
  if (Number.isNaN(n) || n >= TWO_63 || n < -TWO_63) return -9223372036854775808n;
  return BigInt(Math.trunc(n));
}

export interface ReplyTarget {
  out: ReplyWriter;
  /** RESP version the script chose with redis.setresp (booleans differ). */
  scriptResp: 2 | 3;
  countError(code: string): void;
}

/** Rawgets field name of the table at the top; leaves the value pushed, returns its type. */
function rawField(L: LuaState, name: string): number {
  lua.lua_pushstring(L, lstr(name));
  return lua.lua_rawget(L, -2);
}

/** Writes the value at the top of the stack as a reply and pops it. */
export function writeLuaValue(L: LuaState, t: ReplyTarget, depth = 0): void {
  const out = t.out;
  if (depth > MAX_DEPTH || !lua.lua_checkstack(L, 4)) {
    out.error('ERR reached lua stack limit');
    lua.lua_pop(L, 1);
    return;
  }
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      out.bulk(getStr(L, -1)!);
      break;
    case lua.LUA_TBOOLEAN:
      if (t.scriptResp === 2) {
        if (lua.lua_toboolean(L, -1)) out.int(1);
        else out.nullBulk();
      } else out.bool(lua.lua_toboolean(L, -1));
      break;
    case lua.LUA_TNUMBER:
      out.int(numberToInt(lua.lua_tonumber(L, -1)));
      break;
    case lua.LUA_TTABLE:
      writeTable(L, t, depth);
      return;
    default:
      out.nullBulk();
  }
  lua.lua_pop(L, 1);
}

/** A table: error, status, double, big number, verbatim, map, set, or else an array. */
function writeTable(L: LuaState, t: ReplyTarget, depth: number): void {
  const out = t.out;
  if (rawField(L, ERR_FIELD) === lua.LUA_TSTRING) {
    lua.lua_pop(L, 1);
    const e = readErrorTable(L);
    writeScriptError(out, e.msg, e.ignoreStats, t.countError);
    lua.lua_pop(L, 1);
    return;
  }
  lua.lua_pop(L, 1);
  if (rawField(L, 'ok') === lua.LUA_TSTRING) {
    out.simple(getStr(L, -1)!.replace(/[\r\n]/g, ' '));
    lua.lua_pop(L, 2);
    return;
  }
  lua.lua_pop(L, 1);
  if (rawField(L, 'double') === lua.LUA_TNUMBER) {
    out.double(lua.lua_tonumber(L, -1));
    lua.lua_pop(L, 2);
    return;
  }
  lua.lua_pop(L, 1);
  if (rawField(L, 'big_number') === lua.LUA_TSTRING) {
    out.bigNumber(getStr(L, -1)!.replace(/[\r\n]/g, ' '));
    lua.lua_pop(L, 2);
    return;
  }
  lua.lua_pop(L, 1);
  if (writeVerbatim(L, out)) return;
  if (rawField(L, 'map') === lua.LUA_TTABLE) {
    writeAggregate(L, t, depth, true);
    return;
  }
  lua.lua_pop(L, 1);
  if (rawField(L, 'set') === lua.LUA_TTABLE) {
    writeAggregate(L, t, depth, false);
    return;
  }
  lua.lua_pop(L, 1);
  writeArray(L, t, depth);
}

function writeVerbatim(L: LuaState, out: ReplyWriter): boolean {
  if (rawField(L, 'verbatim_string') === lua.LUA_TTABLE) {
    if (rawField(L, 'format') === lua.LUA_TSTRING) {
      const format = getStr(L, -1)!;
      lua.lua_pushstring(L, lstr('string'));
      if (lua.lua_rawget(L, -3) === lua.LUA_TSTRING) {
        const s = getStr(L, -1)!;
        if (out.resp === 3) {
          out.raw('=' + (s.length + 4) + '\r\n' + format.slice(0, 3).padEnd(3, '\0') + ':');
          out.raw(s);
          out.raw('\r\n');
        } else out.bulk(s);
        lua.lua_pop(L, 4);
        return true;
      }
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
  }
  lua.lua_pop(L, 1);
  return false;
}

/**
 * A map or set: the entries are gathered first (the length goes before them) by writing
 * into a scratch writer, so nesting and errors keep their order.
 */
function writeAggregate(L: LuaState, t: ReplyTarget, depth: number, isMap: boolean): void {
  const out = t.out;
  const inner = new ReplyWriter();
  inner.resp = out.resp;
  const sub: ReplyTarget = { out: inner, scriptResp: t.scriptResp, countError: t.countError };
  let n = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2) !== 0) {
    if (isMap) {
      lua.lua_pushvalue(L, -2);
      writeLuaValue(L, sub, depth + 1);
      writeLuaValue(L, sub, depth + 1);
    } else {
      lua.lua_pop(L, 1);
      lua.lua_pushvalue(L, -1);
      writeLuaValue(L, sub, depth + 1);
    }
    n++;
  }
  if (isMap) out.mapLen(n);
  else out.setLen(n);
  for (const b of inner.take()) out.rawBuffer(b);
  out.errors += inner.errors;
  lua.lua_pop(L, 2);
}

function writeArray(L: LuaState, t: ReplyTarget, depth: number): void {
  let n = 0;
  while (lua.lua_rawgeti(L, -1, n + 1) !== lua.LUA_TNIL) {
    lua.lua_pop(L, 1);
    n++;
  }
  lua.lua_pop(L, 1);
  t.out.arrayLen(n);
  for (let j = 1; j <= n; j++) {
    lua.lua_rawgeti(L, -1, j);
    writeLuaValue(L, t, depth + 1);
  }
  lua.lua_pop(L, 1);
}

/** The string value a Lua value at idx gives as a command argument, or null when it cannot be one. */
export function argString(L: LuaState, idx: number): string | null {
  const type = lua.lua_type(L, idx);
  // Lua's own number formatting loses precision: Redis formats with %.17g.
  if (type === lua.LUA_TNUMBER) return fmtG17(lua.lua_tonumber(L, idx));
  if (type !== lua.LUA_TSTRING) return null;
  return fromLua(lua.lua_tolstring(L, idx)!);
}
