// The `bit` library (LuaBitOp's API, as Redis ships it): 32-bit operations on numbers,
// results as signed 32-bit numbers; arguments wrap modulo 2^32 like LuaBitOp's tobit.

import { type LuaState, type LuaCFunction, lua, lauxlib, lstr, pushStr } from './lua.js';

function tobit(L: LuaState, idx: number): number {
  const n = lauxlib.luaL_checknumber(L, idx);
  // Round to nearest like LuaBitOp's 2^52+2^51 trick, then wrap to signed 32 bits.
  const r = Math.round(n);
  return Number(BigInt.asIntN(32, BigInt(Number.isFinite(r) ? r : 0)));
}

function ret(L: LuaState, n: number): number {
  lua.lua_pushnumber(L, n | 0);
  return 1;
}

function fold(op: (a: number, b: number) => number): LuaCFunction {
  return (L) => {
    let acc = tobit(L, 1);
    for (let i = lua.lua_gettop(L); i > 1; i--) acc = op(acc, tobit(L, i));
    return ret(L, acc);
  };
}

function shift(op: (a: number, n: number) => number): LuaCFunction {
  return (L) => ret(L, op(tobit(L, 1), tobit(L, 2) & 31));
}

const FUNCS: Record<string, LuaCFunction> = {
  tobit: (L) => ret(L, tobit(L, 1)),
  bnot: (L) => ret(L, ~tobit(L, 1)),
  band: fold((a, b) => a & b),
  bor: fold((a, b) => a | b),
  bxor: fold((a, b) => a ^ b),
  lshift: shift((a, n) => a << n),
  rshift: shift((a, n) => a >>> n),
  arshift: shift((a, n) => a >> n),
  rol: shift((a, n) => (a << n) | (a >>> (32 - n))),
  ror: shift((a, n) => (a >>> n) | (a << (32 - n))),
  bswap: (L) => {
    const b = tobit(L, 1);
    return ret(L, ((b >>> 24) & 0xff) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24));
  },
  tohex: (L) => {
    let b = tobit(L, 1);
    let n = lua.lua_type(L, 2) <= lua.LUA_TNIL ? 8 : tobit(L, 2);
    let digits = '0123456789abcdef';
    if (n < 0) {
      n = -n;
      digits = digits.toUpperCase();
    }
    if (n > 8) n = 8;
    let s = '';
    for (let i = 0; i < n; i++) {
      s = digits[b & 15] + s;
      b >>>= 4;
    }
    pushStr(L, s);
    return 1;
  },
};

export function openBit(L: LuaState): void {
  lua.lua_createtable(L, 0, Object.keys(FUNCS).length);
  for (const [name, f] of Object.entries(FUNCS)) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, lstr(name));
  }
}
