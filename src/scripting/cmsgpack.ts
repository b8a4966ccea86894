// The `cmsgpack` library (MessagePack, with lua-cmsgpack's choices as Redis ships it):
// integral numbers as the smallest integer type, others as float32 when exact else float64,
// strings as str8/16/32, tables as arrays when their keys are 1..n else maps, nesting beyond
// 16 levels written as nil (so circular tables end). unpack returns every object;
// unpack_one / unpack_limit also return the offset of what follows (-1 at the end).

import { type LuaState, type LuaCFunction, lua, lauxlib, lstr, raiseAt } from './lua.js';

const MAX_NESTING = 16;

class Out {
  private parts: Uint8Array[] = [];
  byte(...b: number[]): void {
    this.parts.push(Uint8Array.from(b));
  }
  bytes(b: Uint8Array): void {
    this.parts.push(b);
  }
  num(kind: 'u16' | 'u32' | 'u64' | 'i64' | 'f32' | 'f64', v: number): void {
    const size = kind === 'u16' ? 2 : kind === 'u32' || kind === 'f32' ? 4 : 8;
    const dv = new DataView(new ArrayBuffer(size));
    if (kind === 'u16') dv.setUint16(0, v);
    else if (kind === 'u32') dv.setUint32(0, v);
    else if (kind === 'u64') dv.setBigUint64(0, BigInt(v));
    else if (kind === 'i64') dv.setBigInt64(0, BigInt(v));
    else if (kind === 'f32') dv.setFloat32(0, v);
    else dv.setFloat64(0, v);
    this.parts.push(new Uint8Array(dv.buffer));
  }
  /** A type byte followed by a big-endian number. */
  tagged(tag: number, kind: 'u16' | 'u32' | 'u64' | 'i64', v: number): void {
    this.byte(tag);
    this.num(kind, v);
  }
  result(): Uint8Array {
    const n = this.parts.reduce((a, p) => a + p.length, 0);
    const r = new Uint8Array(n);
    let o = 0;
    for (const p of this.parts) {
      r.set(p, o);
      o += p.length;
    }
    return r;
  }
}

function encodeInt(out: Out, n: number): void {
  if (n >= 0) {
    if (n <= 127) out.byte(n);
    else if (n <= 0xff) out.byte(0xcc, n);
    else if (n <= 0xffff) out.tagged(0xcd, 'u16', n);
    else if (n <= 0xffffffff) out.tagged(0xce, 'u32', n);
    else out.tagged(0xcf, 'u64', n);
  } else if (n >= -32) out.byte(n & 0xff);
  else if (n >= -128) out.byte(0xd0, n & 0xff);
  else if (n >= -32768) out.tagged(0xd1, 'u16', n & 0xffff);
  else if (n >= -2147483648) out.tagged(0xd2, 'u32', n >>> 0);
  else out.tagged(0xd3, 'i64', n);
}

function encodeNumber(out: Out, n: number): void {
  if (Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63) return encodeInt(out, n);
  if (Math.fround(n) === n || Number.isNaN(n)) {
    out.byte(0xca);
    out.num('f32', n);
  } else {
    out.byte(0xcb);
    out.num('f64', n);
  }
}

function encodeString(out: Out, b: Uint8Array): void {
  const n = b.length;
  if (n < 32) out.byte(0xa0 | n);
  else if (n <= 0xff) out.byte(0xd9, n);
  else if (n <= 0xffff) out.tagged(0xda, 'u16', n);
  else out.tagged(0xdb, 'u32', n);
  out.bytes(b);
}

/** Length when the table at idx has exactly the keys 1..n (n may be 0), else -1. */
function arrayLength(L: LuaState, idx: number): number {
  let count = 0;
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    lua.lua_pop(L, 1);
    if (lua.lua_type(L, -1) !== lua.LUA_TNUMBER) {
      lua.lua_pop(L, 1);
      return -1;
    }
    const k = lua.lua_tonumber(L, -1);
    if (!Number.isInteger(k) || k < 1) {
      lua.lua_pop(L, 1);
      return -1;
    }
    count++;
    if (k > max) max = k;
  }
  return max === count ? max : -1;
}

function encodeValue(L: LuaState, idx: number, out: Out, level: number): void {
  let type = lua.lua_type(L, idx);
  if (type === lua.LUA_TTABLE && level === MAX_NESTING) type = lua.LUA_TNIL;
  switch (type) {
    case lua.LUA_TSTRING:
      return encodeString(out, lua.lua_tolstring(L, idx)!);
    case lua.LUA_TBOOLEAN:
      return out.byte(lua.lua_toboolean(L, idx) ? 0xc3 : 0xc2);
    case lua.LUA_TNUMBER:
      return encodeNumber(out, lua.lua_tonumber(L, idx));
    case lua.LUA_TTABLE:
      return encodeTable(L, idx, out, level);
    default:
      out.byte(0xc0);
  }
}

function encodeTable(L: LuaState, idx: number, out: Out, level: number): void {
  lauxlib.luaL_checkstack(L, 4, null);
  const len = arrayLength(L, idx);
  if (len >= 0) {
    if (len < 16) out.byte(0x90 | len);
    else if (len <= 0xffff) out.tagged(0xdc, 'u16', len);
    else out.tagged(0xdd, 'u32', len);
    for (let i = 1; i <= len; i++) {
      lua.lua_rawgeti(L, idx, i);
      encodeValue(L, lua.lua_gettop(L), out, level + 1);
      lua.lua_pop(L, 1);
    }
    return;
  }
  let n = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    lua.lua_pop(L, 1);
    n++;
  }
  if (n < 16) out.byte(0x80 | n);
  else if (n <= 0xffff) out.tagged(0xde, 'u16', n);
  else out.tagged(0xdf, 'u32', n);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    const top = lua.lua_gettop(L);
    encodeValue(L, top - 1, out, level + 1);
    encodeValue(L, top, out, level + 1);
    lua.lua_pop(L, 1);
  }
}

const pack: LuaCFunction = (L) => {
  const argc = lua.lua_gettop(L);
  if (argc === 0) return raiseAt(L, "bad argument #0 to 'pack' (MessagePack pack needs input.)");
  const out = new Out();
  for (let i = 1; i <= argc; i++) encodeValue(L, i, out, 0);
  lua.lua_pushstring(L, out.result());
  return 1;
};

class Cursor {
  pos: number;
  constructor(
    readonly L: LuaState,
    readonly b: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  need(n: number): DataView {
    if (this.pos + n > this.b.length) raiseAt(this.L, 'Missing bytes in input.');
    const dv = new DataView(this.b.buffer, this.b.byteOffset + this.pos, n);
    this.pos += n;
    return dv;
  }

  str(n: number): void {
    this.need(n);
    lua.lua_pushstring(this.L, this.b.subarray(this.pos - n, this.pos));
  }

  array(n: number): void {
    const L = this.L;
    lauxlib.luaL_checkstack(L, 2, null);
    lua.lua_createtable(L, n, 0);
    for (let i = 1; i <= n; i++) {
      this.value();
      lua.lua_rawseti(L, -2, i);
    }
  }

  map(n: number): void {
    const L = this.L;
    lauxlib.luaL_checkstack(L, 3, null);
    lua.lua_createtable(L, 0, n);
    for (let i = 0; i < n; i++) {
      this.value();
      this.value();
      if (lua.lua_type(L, -2) === lua.LUA_TNIL) lua.lua_pop(L, 2);
      else lua.lua_settable(L, -3);
    }
  }

  value(): void {
    const L = this.L;
    const t = this.need(1).getUint8(0);
    if (t <= 0x7f) return lua.lua_pushnumber(L, t);
    if (t >= 0xe0) return lua.lua_pushnumber(L, t - 256);
    if ((t & 0xe0) === 0xa0) return this.str(t & 0x1f);
    if ((t & 0xf0) === 0x90) return this.array(t & 0x0f);
    if ((t & 0xf0) === 0x80) return this.map(t & 0x0f);
    switch (t) {
      case 0xc0:
        return lua.lua_pushnil(L);
      case 0xc2:
      case 0xc3:
        return lua.lua_pushboolean(L, t === 0xc3);
      case 0xca:
        return lua.lua_pushnumber(L, this.need(4).getFloat32(0));
      case 0xcb:
        return lua.lua_pushnumber(L, this.need(8).getFloat64(0));
      case 0xcc:
        return lua.lua_pushnumber(L, this.need(1).getUint8(0));
      case 0xcd:
        return lua.lua_pushnumber(L, this.need(2).getUint16(0));
      case 0xce:
        return lua.lua_pushnumber(L, this.need(4).getUint32(0));
      case 0xcf:
        return lua.lua_pushnumber(L, Number(this.need(8).getBigUint64(0)));
      case 0xd0:
        return lua.lua_pushnumber(L, this.need(1).getInt8(0));
      case 0xd1:
        return lua.lua_pushnumber(L, this.need(2).getInt16(0));
      case 0xd2:
        return lua.lua_pushnumber(L, this.need(4).getInt32(0));
      case 0xd3:
        return lua.lua_pushnumber(L, Number(this.need(8).getBigInt64(0)));
      case 0xc4:
      case 0xd9:
        return this.str(this.need(1).getUint8(0));
      case 0xc5:
      case 0xda:
        return this.str(this.need(2).getUint16(0));
      case 0xc6:
      case 0xdb:
        return this.str(this.need(4).getUint32(0));
      case 0xdc:
        return this.array(this.need(2).getUint16(0));
      case 0xdd:
        return this.array(this.need(4).getUint32(0));
      case 0xde:
        return this.map(this.need(2).getUint16(0));
      case 0xdf:
        return this.map(this.need(4).getUint32(0));
    }
    return raiseAt(L, 'Bad data format in input.');
  }
}

/** Decodes up to limit objects (0: all) from offset; with withOffset the next offset goes first. */
function unpackFull(L: LuaState, limit: number, offset: number, withOffset: boolean): number {
  const b = lauxlib.luaL_checklstring(L, 1);
  if (offset < 0 || limit < 0 || offset > b.length) {
    raiseAt(L, `Invalid request to unpack with offset of ${offset} and limit of ${limit}.`);
  }
  const cur = new Cursor(L, b, offset);
  const base = lua.lua_gettop(L);
  let n = 0;
  while (cur.pos < b.length && (limit === 0 || n < limit)) {
    cur.value();
    n++;
  }
  if (withOffset) {
    lua.lua_pushnumber(L, cur.pos >= b.length ? -1 : cur.pos);
    lua.lua_insert(L, base + 1);
    return n + 1;
  }
  return n;
}

export function openCmsgpack(L: LuaState): void {
  const fns: Record<string, LuaCFunction> = {
    pack,
    unpack: (S) => unpackFull(S, 0, 0, false),
    unpack_one: (S) => unpackFull(S, 1, lauxlib.luaL_optinteger(S, 2, 0), true),
    unpack_limit: (S) => unpackFull(S, lauxlib.luaL_checkinteger(S, 2), lauxlib.luaL_optinteger(S, 3, 0), true),
  };
  lua.lua_createtable(L, 0, 6);
  for (const [name, f] of Object.entries(fns)) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, lstr(name));
  }
}
