// The Lua VM: fengari (Lua 5.3 in plain JavaScript), loaded once with the settings that bring
// it closer to the Lua 5.1 Redis embeds, and typed here for the part of its C-like API the
// scripting layer uses. Lua strings are byte arrays; Redoubt's strings are latin1 (one char
// per byte), so every crossing converts byte for byte (never through UTF-8).

import { createRequire } from 'node:module';
import { fmtG } from '../protocol/numfmt.js';

/** An opaque Lua state (lua_State*). */
export interface LuaState {
  readonly __luaState: unique symbol;
}

export type LuaCFunction = (L: LuaState) => number;
/** lua_KFunction: where a yieldable call continues after a yield or an error. */
export type LuaKFunction = (L: LuaState, status: number, ctx: number) => number;

/** lua_Debug: only the fields read here. */
export interface LuaDebug {
  currentline: number;
  short_src: Uint8Array;
  source: Uint8Array | null;
  what: Uint8Array;
}

interface LuaApi {
  LUA_OK: number;
  LUA_MULTRET: number;
  LUA_REGISTRYINDEX: number;
  LUA_RIDX_GLOBALS: number;
  LUA_TNIL: number;
  LUA_TNONE: number;
  LUA_TBOOLEAN: number;
  LUA_TLIGHTUSERDATA: number;
  LUA_TNUMBER: number;
  LUA_TSTRING: number;
  LUA_TTABLE: number;
  LUA_TFUNCTION: number;
  LUA_MASKCOUNT: number;
  LUA_MASKLINE: number;
  LUA_YIELD: number;
  lua_Debug: new () => LuaDebug;
  lua_atnativeerror(L: LuaState, f: LuaCFunction): void;
  lua_call(L: LuaState, nargs: number, nresults: number): void;
  lua_checkstack(L: LuaState, n: number): boolean;
  lua_createtable(L: LuaState, narr: number, nrec: number): void;
  lua_error(L: LuaState): number;
  lua_getfield(L: LuaState, idx: number, k: Uint8Array): number;
  lua_getglobal(L: LuaState, name: Uint8Array): number;
  lua_getinfo(L: LuaState, what: Uint8Array, ar: LuaDebug): number;
  lua_getmetatable(L: LuaState, idx: number): boolean;
  lua_getstack(L: LuaState, level: number, ar: LuaDebug): boolean;
  lua_gettop(L: LuaState): number;
  lua_insert(L: LuaState, idx: number): void;
  lua_isinteger(L: LuaState, idx: number): boolean;
  lua_isnumber(L: LuaState, idx: number): boolean;
  lua_isstring(L: LuaState, idx: number): boolean;
  lua_next(L: LuaState, idx: number): number;
  lua_pcall(L: LuaState, nargs: number, nresults: number, errfunc: number): number;
  lua_pcallk(L: LuaState, nargs: number, nresults: number, errfunc: number, ctx: number, k: LuaKFunction): number;
  lua_newthread(L: LuaState): LuaState;
  lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
  lua_yield(L: LuaState, nresults: number): number;
  lua_isyieldable(L: LuaState): boolean;
  lua_xmove(from: LuaState, to: LuaState, n: number): void;
  lua_pop(L: LuaState, n: number): void;
  lua_pushboolean(L: LuaState, b: boolean | number): void;
  lua_pushcfunction(L: LuaState, f: LuaCFunction): void;
  lua_pushinteger(L: LuaState, n: number): void;
  lua_pushlightuserdata(L: LuaState, p: object | null): void;
  lua_pushnil(L: LuaState): void;
  lua_pushnumber(L: LuaState, n: number): void;
  lua_pushstring(L: LuaState, s: Uint8Array): void;
  lua_pushvalue(L: LuaState, idx: number): void;
  lua_rawequal(L: LuaState, a: number, b: number): boolean;
  lua_rawget(L: LuaState, idx: number): number;
  lua_rawgeti(L: LuaState, idx: number, n: number): number;
  lua_rawlen(L: LuaState, idx: number): number;
  lua_rawset(L: LuaState, idx: number): void;
  lua_rawseti(L: LuaState, idx: number, n: number): void;
  lua_remove(L: LuaState, idx: number): void;
  lua_replace(L: LuaState, idx: number): void;
  lua_setfield(L: LuaState, idx: number, k: Uint8Array): void;
  lua_setglobal(L: LuaState, name: Uint8Array): void;
  lua_sethook(L: LuaState, f: ((L: LuaState, ar: LuaDebug) => void) | null, mask: number, count: number): void;
  lua_setmetatable(L: LuaState, idx: number): void;
  lua_settable(L: LuaState, idx: number): void;
  lua_settop(L: LuaState, idx: number): void;
  lua_toboolean(L: LuaState, idx: number): boolean;
  lua_tointeger(L: LuaState, idx: number): number;
  lua_tolstring(L: LuaState, idx: number): Uint8Array | null;
  lua_tonumber(L: LuaState, idx: number): number;
  lua_topointer(L: LuaState, idx: number): object | null;
  lua_touserdata(L: LuaState, idx: number): unknown;
  lua_type(L: LuaState, idx: number): number;
  lua_rotate(L: LuaState, idx: number, n: number): void;
}

interface LauxApi {
  luaL_newstate(): LuaState;
  luaL_checkinteger(L: LuaState, arg: number): number;
  luaL_checknumber(L: LuaState, arg: number): number;
  luaL_checklstring(L: LuaState, arg: number): Uint8Array;
  luaL_checkany(L: LuaState, arg: number): void;
  luaL_checktype(L: LuaState, arg: number, t: number): void;
  luaL_checkstack(L: LuaState, n: number, msg: Uint8Array | null): void;
  luaL_loadbufferx(L: LuaState, buff: Uint8Array, size: number, name: Uint8Array, mode: Uint8Array | null): number;
  luaL_ref(L: LuaState, t: number): number;
  luaL_unref(L: LuaState, t: number, ref: number): void;
  luaL_optinteger(L: LuaState, arg: number, def: number): number;
  luaL_requiref(L: LuaState, name: Uint8Array, f: LuaCFunction, glb: number): void;
  luaL_tolstring(L: LuaState, idx: number): Uint8Array;
  luaL_where(L: LuaState, level: number): void;
}

interface LualibApi {
  luaopen_base: LuaCFunction;
  luaopen_coroutine: LuaCFunction;
  luaopen_table: LuaCFunction;
  luaopen_string: LuaCFunction;
  luaopen_math: LuaCFunction;
  luaopen_debug: LuaCFunction;
}

interface Fengari {
  lua: LuaApi;
  lauxlib: LauxApi;
  lualib: LualibApi;
}

interface NumberCell {
  ttisinteger(): boolean;
  value: number;
  setfltvalue(x: number): void;
  setsvalue(ts: object): void;
}

interface LObject {
  luaO_str2num(s: Uint8Array, o: NumberCell): number;
  luaO_tostring(L: LuaState, o: NumberCell): void;
}

interface LString {
  luaS_bless(L: LuaState, b: Uint8Array): object;
}

/** Lua 5.1's number to string: printf("%.14g"), with glibc's spelling of infinities and NaN. */
export function numberToString(n: number): string {
  if (Number.isNaN(n)) return '-nan';
  return fmtG(n, 14);
}

function load(): Fengari {
  const require = createRequire(import.meta.url);
  // Lua 5.1 prints integral numbers without ".0"; fengari reads its options from the
  // environment once, when first loaded.
  const before = process.env['FENGARICONF'];
  process.env['FENGARICONF'] = JSON.stringify({ LUA_COMPAT_FLOATSTRING: true });
  try {
    const f = require('fengari') as Fengari;
    // Lua 5.1 has one number type (a double); fengari's integers are 32-bit and would wrap
    // (3600 * 1000000). Numerals and string-to-number conversions therefore always produce
    // floats, as in 5.1; integer-valued floats still index tables and format like integers.
    const lobject = require('fengari/src/lobject.js') as LObject;
    const str2num = lobject.luaO_str2num;
    lobject.luaO_str2num = (s, o) => {
      const n = str2num(s, o);
      if (n !== 0 && o.ttisinteger()) o.setfltvalue(o.value);
      return n;
    };
    // fengari's own %.14g prints 2^53 without an exponent.
    const lstring = require('fengari/src/lstring.js') as LString;
    lobject.luaO_tostring = (L, o) => {
      const str = o.ttisinteger() ? String(o.value) : numberToString(o.value);
      o.setsvalue(lstring.luaS_bless(L, toLua(str)));
    };
    return f;
  } finally {
    if (before === undefined) delete process.env['FENGARICONF'];
    else process.env['FENGARICONF'] = before;
  }
}

const fengari = load();
export const lua = fengari.lua;
export const lauxlib = fengari.lauxlib;
export const lualib = fengari.lualib;

/** The fengari internals pcallk touches (see below). */
interface ThreadInternals {
  allowhook: number;
  ci: { callstatus: number };
}

/** CIST_OAH: the call's saved 'allowhook' (lstate.js). */
const CIST_OAH = 1;

/**
 * lua_pcallk. fengari's never records 'allowhook' in the call info (its setoah is written
 * as `&= ~CIST_OAH | allowhook`), so an error caught by a yieldable pcall leaves hooks off
 * for good: a busy script could then neither yield nor be killed. The bit is set here.
 */
export const pcallk: LuaApi['lua_pcallk'] = (L, nargs, nresults, errfunc, ctx, k) => {
  const t = L as unknown as ThreadInternals;
  t.ci.callstatus = (t.ci.callstatus & ~CIST_OAH) | (t.allowhook !== 0 ? CIST_OAH : 0);
  return fengari.lua.lua_pcallk(L, nargs, nresults, errfunc, ctx, k);
};

/** A latin1 JS string (one char per byte) as Lua bytes. */
export function toLua(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Lua bytes as a latin1 JS string. */
export function fromLua(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

const names = new Map<string, Uint8Array>();

/** A constant name as Lua bytes, cached (field names, globals). */
export function lstr(s: string): Uint8Array {
  let b = names.get(s);
  if (b === undefined) {
    b = toLua(s);
    names.set(s, b);
  }
  return b;
}

/** Pushes a latin1 JS string. */
export function pushStr(L: LuaState, s: string): void {
  lua.lua_pushstring(L, toLua(s));
}

/** The string at idx (numbers converted as Lua does), or null. */
export function getStr(L: LuaState, idx: number): string | null {
  const b = lua.lua_tolstring(L, idx);
  return b === null ? null : fromLua(b);
}

/** Raises a Lua error with a plain message (no position prefix). */
export function raise(L: LuaState, msg: string): never {
  pushStr(L, msg);
  lua.lua_error(L);
  throw new Error('unreachable');
}

/** Raises a Lua error prefixed with the script position ("user_script:1: "), like luaL_error. */
export function raiseAt(L: LuaState, msg: string, level = 1): never {
  lauxlib.luaL_where(L, level);
  const where = getStr(L, -1) ?? '';
  lua.lua_pop(L, 1);
  return raise(L, where + msg);
}
