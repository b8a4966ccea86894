// The `struct` library (binary records, as Redis ships Roberto Ierusalimschy's struct):
// struct.pack(fmt, ...), struct.unpack(fmt, data [, pos]) → values..., next position, and
// struct.size(fmt). Formats: < > (endianness, little by default), ![n] (alignment), x (pad
// byte), b/B h/H l/L T i[n]/I[n] (integers), f d (floats), c[n] (fixed string; c0 takes its
// length from the previous value when unpacking), s (zero-terminated string).

import { type LuaState, type LuaCFunction, lua, lauxlib, lstr, raiseAt } from './lua.js';

interface Header {
  little: boolean;
  align: number;
}

const MAXINTSIZE = 32;

function digits(fmt: Uint8Array, p: { i: number }, def: number): number {
  if (p.i >= fmt.length || fmt[p.i]! < 0x30 || fmt[p.i]! > 0x39) return def;
  let n = 0;
  while (p.i < fmt.length && fmt[p.i]! >= 0x30 && fmt[p.i]! <= 0x39) n = n * 10 + (fmt[p.i++]! - 0x30);
  return n;
}

/** Size of one option (0 for options that carry no data or have no fixed size). */
function optSize(L: LuaState, opt: string, fmt: Uint8Array, p: { i: number }): number {
  switch (opt) {
    case 'B':
    case 'b':
      return 1;
    case 'H':
    case 'h':
      return 2;
    case 'L':
    case 'l':
    case 'T':
      return 8;
    case 'f':
      return 4;
    case 'd':
      return 8;
    case 'x':
      return 1;
    case 'c':
      return digits(fmt, p, 1);
    case 'i':
    case 'I': {
      const n = digits(fmt, p, 4);
      if (n > MAXINTSIZE) raiseAt(L, `integral size ${n} is larger than limit of ${MAXINTSIZE}`);
      return n;
    }
    default:
      return 0;
  }
}

function gap(h: Header, opt: string, size: number, total: number): number {
  if (opt === 'c' || opt === 's' || opt === 'x') return 0;
  let align = size;
  if (align <= 1) return 0;
  if (align > h.align) align = h.align;
  if ((align & (align - 1)) !== 0) return 0;
  return (align - (total & (align - 1))) & (align - 1);
}

/** Applies a control option; true when opt was one. */
function control(L: LuaState, h: Header, opt: string, fmt: Uint8Array, p: { i: number }): boolean {
  if (opt === ' ') return true;
  if (opt === '>') h.little = false;
  else if (opt === '<') h.little = true;
  else if (opt === '!') h.align = digits(fmt, p, 8);
  else return false;
  return true;
}

function intBytes(v: bigint, size: number, little: boolean): Uint8Array {
  const out = new Uint8Array(size);
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    out[little ? i : size - 1 - i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

const pack: LuaCFunction = (L) => {
  const fmt = lauxlib.luaL_checklstring(L, 1);
  const h: Header = { little: true, align: 1 };
  const parts: Uint8Array[] = [];
  let total = 0;
  let arg = 2;
  const p = { i: 0 };
  const push = (b: Uint8Array): void => {
    parts.push(b);
    total += b.length;
  };
  while (p.i < fmt.length) {
    const opt = String.fromCharCode(fmt[p.i++]!);
    if (control(L, h, opt, fmt, p)) continue;
    const size = optSize(L, opt, fmt, p);
    const pad = gap(h, opt, size, total);
    if (pad > 0) push(new Uint8Array(pad));
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I': {
        const n = lauxlib.luaL_checknumber(L, arg++);
        push(intBytes(BigInt(Math.trunc(n)), size, h.little));
        break;
      }
      case 'x':
        push(new Uint8Array(1));
        break;
      case 'f':
      case 'd': {
        const dv = new DataView(new ArrayBuffer(size));
        const n = lauxlib.luaL_checknumber(L, arg++);
        if (opt === 'f') dv.setFloat32(0, n, h.little);
        else dv.setFloat64(0, n, h.little);
        push(new Uint8Array(dv.buffer));
        break;
      }
      case 'c':
      case 's': {
        const s = lauxlib.luaL_checklstring(L, arg);
        let len = s.length;
        if (opt === 'c' && size !== 0) {
          if (len < size) raiseAt(L, `bad argument #${arg} to 'pack' (string too short)`);
          len = size;
        }
        arg++;
        push(s.subarray(0, len));
        if (opt === 's') push(new Uint8Array(1));
        break;
      }
      default:
        raiseAt(L, `bad argument #1 to 'pack' (invalid format option '${opt}')`);
    }
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of parts) {
    out.set(b, o);
    o += b.length;
  }
  lua.lua_pushstring(L, out);
  return 1;
};

const unpack: LuaCFunction = (L) => {
  const fmt = lauxlib.luaL_checklstring(L, 1);
  const data = lauxlib.luaL_checklstring(L, 2);
  let pos = lauxlib.luaL_optinteger(L, 3, 1) - 1;
  if (pos < 0 || pos > data.length) raiseAt(L, "bad argument #3 to 'unpack' (offset must be 1 or greater)");
  const h: Header = { little: true, align: 1 };
  const p = { i: 0 };
  let n = 0;
  const tooShort = (need: number): void => {
    if (pos + need > data.length) raiseAt(L, "bad argument #2 to 'unpack' (data string too short)");
  };
  while (p.i < fmt.length) {
    const opt = String.fromCharCode(fmt[p.i++]!);
    if (control(L, h, opt, fmt, p)) continue;
    let size = optSize(L, opt, fmt, p);
    pos += gap(h, opt, size, pos);
    lauxlib.luaL_checkstack(L, 2, null);
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I': {
        tooShort(size);
        let v = 0n;
        for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(data[pos + (h.little ? size - 1 - i : i)]!);
        const signed = opt === 'b' || opt === 'h' || opt === 'l' || opt === 'i';
        lua.lua_pushnumber(L, Number(signed ? BigInt.asIntN(size * 8, v) : v));
        n++;
        break;
      }
      case 'x':
        break;
      case 'f':
      case 'd': {
        tooShort(size);
        const dv = new DataView(data.buffer, data.byteOffset + pos, size);
        lua.lua_pushnumber(L, opt === 'f' ? dv.getFloat32(0, h.little) : dv.getFloat64(0, h.little));
        n++;
        break;
      }
      case 'c': {
        if (size === 0) {
          if (n === 0 || lua.lua_type(L, -1) !== lua.LUA_TNUMBER) raiseAt(L, "format 'c0' needs a previous size");
          size = Math.trunc(lua.lua_tonumber(L, -1));
          lua.lua_pop(L, 1);
          n--;
        }
        tooShort(size);
        lua.lua_pushstring(L, data.subarray(pos, pos + size));
        n++;
        break;
      }
      case 's': {
        const end = data.indexOf(0, pos);
        if (end < 0) raiseAt(L, "bad argument #2 to 'unpack' (unfinished string in data)");
        lua.lua_pushstring(L, data.subarray(pos, end));
        n++;
        size = end - pos + 1;
        break;
      }
      default:
        raiseAt(L, `bad argument #1 to 'unpack' (invalid format option '${opt}')`);
    }
    pos += size;
  }
  lua.lua_pushnumber(L, pos + 1);
  return n + 1;
};

const size: LuaCFunction = (L) => {
  const fmt = lauxlib.luaL_checklstring(L, 1);
  const h: Header = { little: true, align: 1 };
  const p = { i: 0 };
  let total = 0;
  while (p.i < fmt.length) {
    const opt = String.fromCharCode(fmt[p.i++]!);
    if (control(L, h, opt, fmt, p)) continue;
    const sz = optSize(L, opt, fmt, p);
    if (opt === 's' || (opt === 'c' && sz === 0)) raiseAt(L, "options 'c0' - 's' have undefined sizes");
    if (sz === 0) raiseAt(L, `bad argument #1 to 'size' (invalid format option '${opt}')`);
    total += gap(h, opt, sz, total) + sz;
  }
  lua.lua_pushnumber(L, total);
  return 1;
};

export function openStruct(L: LuaState): void {
  lua.lua_createtable(L, 0, 3);
  for (const [name, f] of Object.entries({ pack, unpack, size })) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, lstr(name));
  }
}
