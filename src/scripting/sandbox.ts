// The Lua state scripts run in, sandboxed as Redis 7.0 sandboxes it: only the base, table,
// string, math, debug, coroutine, cjson, bit (and our struct/cmsgpack subset) libraries; no
// io, os, package/require, loadfile, dofile or print; reading an unknown global is an error;
// the global table and every library table are read-only ("Attempt to modify a readonly
// table"). Lua 5.3 has no read-only flag on tables as Redis's patched 5.1 has, so every
// protected table is an empty proxy whose metatable reads through to the real table and
// refuses writes; rawset and setmetatable refuse proxies too.

import {
  type LuaState,
  type LuaCFunction,
  lua,
  lauxlib,
  lualib,
  lstr,
  getStr,
  pushStr,
  raise,
  raiseAt,
  numberToString,
  pcallk,
} from './lua.js';

export const READONLY_ERROR = 'Attempt to modify a readonly table';

/** The proxies standing for protected tables (identity of fengari's table objects). */
const protectedTables = new WeakSet<object>();

function isProtected(L: LuaState, idx: number): boolean {
  const p = lua.lua_topointer(L, idx);
  return p !== null && protectedTables.has(p);
}

export const readonlyError: LuaCFunction = (L) => raiseAt(L, READONLY_ERROR, 1);

/** __pairs of a proxy: iterate the real table. */
const proxyPairs: LuaCFunction = (L) => {
  lua.lua_getmetatable(L, 1);
  lua.lua_getfield(L, -1, lstr('__index'));
  lua.lua_getglobal(L, lstr('next'));
  lua.lua_insert(L, -2);
  lua.lua_pushnil(L);
  return 3;
};

/**
 * Replaces the table at the top of the stack by a read-only proxy of it. index, when given,
 * is the __index function to use instead of the table (the globals' "nonexistent" check).
 */
export function protectTop(L: LuaState, index: LuaCFunction | null = null): void {
  const real = lua.lua_gettop(L);
  lua.lua_createtable(L, 0, 0); // proxy
  lua.lua_createtable(L, 0, 4); // its metatable
  if (index === null) lua.lua_pushvalue(L, real);
  else lua.lua_pushcfunction(L, index);
  lua.lua_setfield(L, -2, lstr('__index'));
  lua.lua_pushcfunction(L, readonlyError);
  lua.lua_setfield(L, -2, lstr('__newindex'));
  lua.lua_pushcfunction(L, proxyPairs);
  lua.lua_setfield(L, -2, lstr('__pairs'));
  // getmetatable(proxy) returns a read-only view of the metatable itself.
  lua.lua_createtable(L, 0, 0);
  lua.lua_createtable(L, 0, 2);
  lua.lua_pushvalue(L, -3);
  lua.lua_setfield(L, -2, lstr('__index'));
  lua.lua_pushcfunction(L, readonlyError);
  lua.lua_setfield(L, -2, lstr('__newindex'));
  lua.lua_setmetatable(L, -2);
  protectedTables.add(lua.lua_topointer(L, -1)!);
  lua.lua_setfield(L, -2, lstr('__metatable'));
  lua.lua_setmetatable(L, -2);
  protectedTables.add(lua.lua_topointer(L, -1)!);
  lua.lua_replace(L, real);
}

/** The real globals table (registry field), where KEYS/ARGV and library proxies live. */
const REAL_GLOBALS = '__redoubt_globals';
/** What global reads see: the real globals, or FUNCTION LOAD's library API while a library loads. */
const GLOBALS_VIEW = '__redoubt_globals_view';

/** Switches what scripts' global reads resolve to (null: back to the real globals). */
export function setGlobalsView(L: LuaState, registryKey: string | null): void {
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(registryKey ?? REAL_GLOBALS));
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lstr(GLOBALS_VIEW));
}

function pushRealGlobals(L: LuaState): void {
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(REAL_GLOBALS));
}

/** __index of the global proxy: unknown names are errors, not nil. */
export const globalIndex: LuaCFunction = (L) => {
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(GLOBALS_VIEW));
  lua.lua_pushvalue(L, 2);
  if (lua.lua_rawget(L, -2) !== lua.LUA_TNIL) return 1;
  if (!lua.lua_isstring(L, 2)) raiseAt(L, 'Second argument to luaProtectedTableError must be a string or number', 1);
  return raiseAt(L, `Script attempted to access nonexistent global variable '${getStr(L, 2)}'`, 1);
};

const globalPairs: LuaCFunction = (L) => {
  lua.lua_getglobal(L, lstr('next'));
  pushRealGlobals(L);
  lua.lua_pushnil(L);
  return 3;
};

/** Sets a global in the real table (setup and KEYS/ARGV: scripts cannot). */
export function setRealGlobal(L: LuaState, name: string): void {
  pushRealGlobals(L);
  lua.lua_insert(L, -2);
  lua.lua_setfield(L, -2, lstr(name));
  lua.lua_pop(L, 1);
}

export function getRealGlobal(L: LuaState, name: string): void {
  pushRealGlobals(L);
  lua.lua_getfield(L, -1, lstr(name));
  lua.lua_remove(L, -2);
}

function openLib(L: LuaState, name: string, open: LuaCFunction): void {
  lauxlib.luaL_requiref(L, lstr(name), open, 0);
  setRealGlobal(L, name);
}

/** rawset refuses protected tables. */
const safeRawset: LuaCFunction = (L) => {
  if (isProtected(L, 1)) return raise(L, READONLY_ERROR);
  getRealGlobal(L, '__raw_rawset');
  lua.lua_insert(L, 1);
  lua.lua_call(L, lua.lua_gettop(L) - 1, 1);
  return 1;
};

/** setmetatable refuses protected tables. */
const safeSetmetatable: LuaCFunction = (L) => {
  if (isProtected(L, 1)) return raise(L, READONLY_ERROR);
  getRealGlobal(L, '__raw_setmetatable');
  lua.lua_insert(L, 1);
  lua.lua_call(L, lua.lua_gettop(L) - 1, 1);
  return 1;
};

/** tostring of a number in Lua 5.1's %.14g (fengari's formatter drops the exponent). */
const safeTostring: LuaCFunction = (L) => {
  if (lua.lua_type(L, 1) === lua.LUA_TNUMBER && !lua.lua_isinteger(L, 1)) {
    pushStr(L, numberToString(lua.lua_tonumber(L, 1)));
    return 1;
  }
  getRealGlobal(L, '__raw_tostring');
  lua.lua_insert(L, 1);
  lua.lua_call(L, lua.lua_gettop(L) - 1, 1);
  return 1;
};

/** Lua 5.1's error(): a number message gets the position prefix too (5.3 only does strings). */
const error51: LuaCFunction = (L) => {
  const level = lauxlib.luaL_optinteger(L, 2, 1);
  lua.lua_settop(L, 1);
  const t = lua.lua_type(L, 1);
  if ((t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) && level > 0) {
    lauxlib.luaL_where(L, level);
    const where = getStr(L, -1) ?? '';
    pushStr(L, where + (getStr(L, 1) ?? ''));
  }
  return lua.lua_error(L);
};

const FORMAT_SPEC = /%([-+ #0]*)(\d*)(?:\.(\d*))?([a-zA-Z%])/g;

/** A %d/%i/%x/%X/%o conversion of an integral number beyond 32 bits, done the C way. */
function formatWide(flags: string, width: string, prec: string | undefined, conv: string, n: number): string {
  let v = BigInt(n);
  let sign = '';
  let digits: string;
  if (conv === 'd' || conv === 'i') {
    if (v < 0n) {
      sign = '-';
      v = -v;
    } else if (flags.includes('+')) sign = '+';
    else if (flags.includes(' ')) sign = ' ';
    digits = v.toString();
  } else {
    const u = BigInt.asUintN(64, v);
    digits = conv === 'o' ? u.toString(8) : u.toString(16);
    if (conv === 'X') digits = digits.toUpperCase();
    if (flags.includes('#') && u !== 0n) sign = conv === 'o' ? '0' : conv === 'x' ? '0x' : '0X';
  }
  if (prec !== undefined) digits = digits.padStart(Number(prec || '0'), '0');
  const w = Number(width || '0');
  let out = sign + digits;
  if (out.length < w) {
    if (flags.includes('-')) out = out.padEnd(w, ' ');
    else if (flags.includes('0') && prec === undefined) out = sign + digits.padStart(w - sign.length, '0');
    else out = out.padStart(w, ' ');
  }
  return out;
}

/**
 * string.format that accepts any integral number for %d/%i/%x/%X/%o, as Lua 5.1 does
 * (fengari's integers are 32-bit: millisecond timestamps would be refused).
 */
const format51: LuaCFunction = (L) => {
  if (lua.lua_type(L, 1) === lua.LUA_TSTRING) {
    const fmt = getStr(L, 1)!;
    let arg = 1;
    let changed = false;
    const out = fmt.replace(
      FORMAT_SPEC,
      (spec, flags: string, width: string, prec: string | undefined, conv: string) => {
        if (conv === '%') return spec;
        arg++;
        if (!'diXxo'.includes(conv) || lua.lua_type(L, arg) !== lua.LUA_TNUMBER) return spec;
        let n = lua.lua_tonumber(L, arg);
        // Only what fengari gets wrong: non-integers (C truncates), beyond 32 bits, negative hex.
        const narrow = Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
        if (narrow && (n >= 0 || conv === 'd' || conv === 'i')) return spec;
        n = Number.isFinite(n) ? Math.trunc(n) : -(2 ** 63);
        changed = true;
        pushStr(L, formatWide(flags, width, prec, conv, n));
        lua.lua_replace(L, arg);
        return '%s';
      },
    );
    if (changed) {
      pushStr(L, out);
      lua.lua_replace(L, 1);
    }
  }
  lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr('__raw_format'));
  lua.lua_insert(L, 1);
  lua.lua_call(L, lua.lua_gettop(L) - 1, 1);
  return 1;
};

/** load/loadstring of source text only: binary chunks would bypass the sandbox. */
const loadText: LuaCFunction = (L) => {
  const chunk = lua.lua_type(L, 1) === lua.LUA_TSTRING ? lua.lua_tolstring(L, 1)! : null;
  if (chunk === null) {
    lua.lua_pushnil(L);
    lua.lua_pushstring(L, lstr('loadstring: a string is required'));
    return 2;
  }
  const name = lua.lua_type(L, 2) === lua.LUA_TSTRING ? lua.lua_tolstring(L, 2)! : chunk;
  if (lauxlib.luaL_loadbufferx(L, chunk, chunk.length, name, lstr('t')) !== lua.LUA_OK) {
    lua.lua_pushnil(L);
    lua.lua_insert(L, -2);
    return 2;
  }
  return 1;
};

/**
 * Redis's pcall: like Lua's, but an error table (what redis.call raises) comes back as its
 * message, as scripts written for Redis 6 expect.
 */
const redisPcall: LuaCFunction = (L) => {
  const argc = lua.lua_gettop(L);
  lauxlib.luaL_checkany(L, 1);
  lua.lua_pushboolean(L, true);
  lua.lua_insert(L, 1);
  // A continuation, so that a busy script may yield inside pcall (see ScriptEngine.call).
  return pcallDone(L, pcallk(L, argc - 1, lua.LUA_MULTRET, 0, 0, pcallDone));
};

/** pcall's results: true and the values, or false and the message (the error table's err). */
function pcallDone(L: LuaState, status: number): number {
  if (status !== lua.LUA_OK && status !== lua.LUA_YIELD) {
    lua.lua_remove(L, 1);
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      lua.lua_getfield(L, -1, lstr('err'));
      if (lua.lua_isstring(L, -1)) lua.lua_replace(L, -2);
      else lua.lua_pop(L, 1);
    }
    lua.lua_pushboolean(L, false);
    lua.lua_insert(L, 1);
  }
  return lua.lua_gettop(L);
}

/** xpcall as Lua's, on the pcallk that keeps hooks working after a caught error. */
const safeXpcall: LuaCFunction = (L) => {
  const n = lua.lua_gettop(L);
  lauxlib.luaL_checktype(L, 2, lua.LUA_TFUNCTION);
  lua.lua_pushboolean(L, true);
  lua.lua_pushvalue(L, 1);
  lua.lua_rotate(L, 3, 2);
  return xpcallDone(L, pcallk(L, n - 2, lua.LUA_MULTRET, 2, 2, xpcallDone), 2);
};

function xpcallDone(L: LuaState, status: number, extra: number): number {
  if (status === lua.LUA_OK || status === lua.LUA_YIELD) return lua.lua_gettop(L) - extra;
  lua.lua_pushboolean(L, false);
  lua.lua_pushvalue(L, -2);
  return 2;
}

/**
 * Lua 5.1 names that 5.3 dropped, defined in Lua over what 5.3 has (scripts written for
 * Redis use unpack, table.getn, math.pow...).
 */
const COMPAT_51 = `
local G, table, math, string = ...
G.unpack = table.unpack
table.getn = function(t) return #t end
table.maxn = function(t) local m = 0 for k in next, t do if type(k) == 'number' and k > m then m = k end end return m end
math.pow = function(x, y) return x ^ y end
math.log10 = function(x) return math.log(x, 10) end
math.ldexp = function(m, e) return m * 2.0 ^ e end
math.frexp = function(x)
  if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x, 0 end
  local e = math.floor(math.log(math.abs(x), 2)) + 1
  local m = x / 2.0 ^ e
  if math.abs(m) >= 1 then m = m / 2; e = e + 1 elseif math.abs(m) < 0.5 then m = m * 2; e = e - 1 end
  return m, e
end
math.cosh = function(x) return (math.exp(x) + math.exp(-x)) / 2 end
math.sinh = function(x) return (math.exp(x) - math.exp(-x)) / 2 end
math.tanh = function(x) local a, b = math.exp(x), math.exp(-x) return (a - b) / (a + b) end
math.mod = math.fmod
string.gfind = string.gmatch
`;

/**
 * The error handler every script runs under: a message becomes {err='ERR <msg>'}, and the
 * table gets the script position (source and line) of the frame that raised it, skipping
 * native functions (error, redis.call, our wrappers of Lua's own) for the Lua code that
 * called them.
 */
const ERROR_HANDLER = `
local getinfo, type, tostring = ...
return function(err)
  local level = 2
  local info = getinfo(level, 'nSl')
  while info and (info.what == 'C' or info.what == 'J') do
    level = level + 1
    info = getinfo(level, 'nSl')
  end
  if type(err) ~= 'table' then err = { err = 'ERR ' .. tostring(err) } end
  if info then
    err.source = info.source
    err.line = info.currentline
  end
  return err
end
`;

function runChunk(L: LuaState, code: string, nargs: number, nresults: number): void {
  const b = lstr(code);
  if (lauxlib.luaL_loadbufferx(L, b, b.length, lstr('=redoubt'), lstr('t')) !== lua.LUA_OK) {
    throw new Error(`scripting setup: ${getStr(L, -1)}`);
  }
  lua.lua_insert(L, -1 - nargs);
  lua.lua_call(L, nargs, nresults);
}

export interface SandboxLibs {
  /** Extra library tables by global name, each pushed by its opener (cjson, bit, redis...). */
  [name: string]: (L: LuaState) => void;
}

/** Registry key of the error handler function. */
export const ERROR_HANDLER_KEY = '__redoubt_err_handler';

/** A new Lua state with the sandbox, the given libraries and the error handler. */
export function newSandbox(libs: SandboxLibs): LuaState {
  const L = lauxlib.luaL_newstate();
  // A JavaScript exception inside a library function becomes a Lua error, never a crash.
  lua.lua_atnativeerror(L, (S) => {
    const e = lua.lua_touserdata(S, -1);
    const msg = e instanceof Error ? (e instanceof RangeError ? 'stack overflow' : e.message) : String(e);
    return raise(S, msg);
  });
  lua.lua_createtable(L, 0, 32);
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lstr(REAL_GLOBALS));
  // The base library registers into the default globals: copy what Redis keeps.
  lauxlib.luaL_requiref(L, lstr('_G'), lualib.luaopen_base, 0);
  for (const name of [
    'assert',
    'collectgarbage',
    'getmetatable',
    'ipairs',
    'next',
    'pairs',
    'rawequal',
    'rawget',
    'rawlen',
    'select',
    'tonumber',
    'tostring',
    'type',
    '_VERSION',
  ]) {
    lua.lua_getfield(L, -1, lstr(name));
    setRealGlobal(L, name);
  }
  lua.lua_getfield(L, -1, lstr('rawset'));
  setRealGlobal(L, '__raw_rawset');
  lua.lua_getfield(L, -1, lstr('setmetatable'));
  setRealGlobal(L, '__raw_setmetatable');
  lua.lua_pop(L, 1);
  getRealGlobal(L, 'tostring');
  setRealGlobal(L, '__raw_tostring');
  for (const [name, f] of [
    ['tostring', safeTostring],
    ['error', error51],
    ['rawset', safeRawset],
    ['setmetatable', safeSetmetatable],
    ['load', loadText],
    ['loadstring', loadText],
    ['pcall', redisPcall],
    ['xpcall', safeXpcall],
  ] as const) {
    lua.lua_pushcfunction(L, f);
    setRealGlobal(L, name);
  }
  openLib(L, 'table', lualib.luaopen_table);
  openLib(L, 'string', lualib.luaopen_string);
  openLib(L, 'math', lualib.luaopen_math);
  openLib(L, 'debug', lualib.luaopen_debug);
  openLib(L, 'coroutine', lualib.luaopen_coroutine);
  pushRealGlobals(L);
  for (const n of ['table', 'math', 'string']) getRealGlobal(L, n);
  runChunk(L, COMPAT_51, 4, 0);
  getRealGlobal(L, 'string');
  lua.lua_getfield(L, -1, lstr('format'));
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lstr('__raw_format'));
  lua.lua_pushcfunction(L, format51);
  lua.lua_setfield(L, -2, lstr('format'));
  lua.lua_pop(L, 1);
  // No debug.sethook: the time limit's count hook must stay in place.
  getRealGlobal(L, 'debug');
  lua.lua_pushnil(L);
  lua.lua_setfield(L, -2, lstr('sethook'));
  lua.lua_pop(L, 1);
  getRealGlobal(L, 'debug');
  lua.lua_getfield(L, -1, lstr('getinfo'));
  lua.lua_remove(L, -2);
  getRealGlobal(L, 'type');
  getRealGlobal(L, 'tostring');
  runChunk(L, ERROR_HANDLER, 3, 1);
  lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lstr(ERROR_HANDLER_KEY));
  for (const [name, open] of Object.entries(libs)) {
    open(L);
    setRealGlobal(L, name);
  }
  protectLibraries(L);
  setGlobalsView(L, null);
  // The setup chunks' environment is the default global table: strip what must stay out of
  // reach even through debug.getupvalue.
  lauxlib.luaL_requiref(L, lstr('_G'), lualib.luaopen_base, 0);
  for (const name of ['dofile', 'loadfile', 'load', 'print', 'require']) {
    lua.lua_pushnil(L);
    lua.lua_setfield(L, -2, lstr(name));
  }
  lua.lua_pop(L, 1);
  return L;
}

/** Replaces every library table by its read-only proxy and installs the global proxy. */
function protectLibraries(L: LuaState): void {
  pushRealGlobals(L);
  const names: string[] = [];
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2) !== 0) {
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE && lua.lua_type(L, -2) === lua.LUA_TSTRING) names.push(getStr(L, -2)!);
    lua.lua_pop(L, 1);
  }
  for (const n of names) {
    lua.lua_getfield(L, -1, lstr(n));
    protectTop(L);
    lua.lua_setfield(L, -2, lstr(n));
  }
  // _G: the proxy itself, so that `_G.x` reads like `x`.
  lua.lua_pushvalue(L, -1);
  protectTop(L, globalIndex);
  lua.lua_getmetatable(L, -1);
  lua.lua_pushcfunction(L, globalPairs);
  lua.lua_setfield(L, -2, lstr('__pairs'));
  lua.lua_pop(L, 1);
  lua.lua_pushvalue(L, -1);
  lua.lua_setfield(L, -3, lstr('_G'));
  // Code loaded from now on gets the proxy as its environment.
  lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
  lua.lua_pop(L, 1);
}
