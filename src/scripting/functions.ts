// Redis 7 functions: libraries loaded with FUNCTION LOAD ("#!lua name=<lib>" + code that calls
// redis.register_function), kept in their own Lua state (separate from EVAL's, as in Redis)
// and called with FCALL / FCALL_RO. While a library's top-level code runs, its globals are
// only the library API (redis.register_function, redis.log, the versions); the functions it
// registers see the normal sandbox when called.

import type { Server } from '../server/server.js';
import { splitArgs } from '../protocol/splitargs.js';
import { type LuaState, type LuaCFunction, lua, lauxlib, lstr, getStr, raiseAt, toLua } from './lua.js';
import { ScriptEngine } from './engine.js';
import { setGlobalsView, readonlyError } from './sandbox.js';
import { raiseError } from './redis-api.js';
import { readErrorTable } from './convert.js';
import { SCRIPT_FLAG_NAMES } from './run.js';

export interface FunctionInfo {
  name: string;
  library: string;
  description: string | null;
  flags: number;
}

export interface Library {
  name: string;
  engine: string;
  code: string;
  functions: Map<string, FunctionInfo>;
}

const LIBRARY_API = '__redoubt_library_api';
const LIBRARY_REDIS = '__redoubt_library_redis';
/** Registry table of callbacks by function name. */
const CALLBACKS = '__redoubt_functions';
/** Registry table of the callbacks registered by the library being loaded. */
const STAGING = '__redoubt_functions_staging';

const NAME_RE = /^[A-Za-z0-9_]+$/;
const LOAD_TIMEOUT_MS = 500;
const BAD_NAME =
  'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

/** A name's flags from the table at idx, or null on an unknown flag. */
function readFlags(L: LuaState, idx: number): number | null {
  let flags = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, idx) !== 0) {
    const name = lua.lua_type(L, -1) === lua.LUA_TSTRING ? getStr(L, -1)! : null;
    lua.lua_pop(L, 1);
    const bit = name === null ? undefined : SCRIPT_FLAG_NAMES.find(([n]) => n === name.toLowerCase())?.[1];
    if (bit === undefined) {
      lua.lua_pop(L, 1);
      return null;
    }
    flags |= bit;
  }
  return flags;
}

export class FunctionStore {
  libraries = new Map<string, Library>();
  /** Functions by lower-case name (FCALL is case-insensitive). */
  functions = new Map<string, FunctionInfo>();
  engine: ScriptEngine;
  /** The library being loaded (register_function adds to it), or null. */
  private loading: Library | null = null;

  constructor(readonly server: Server) {
    this.engine = this.newEngine();
  }

  private newEngine(): ScriptEngine {
    const e = new ScriptEngine(this.server);
    this.installLibraryApi(e.L);
    return e;
  }

  /** FUNCTION FLUSH: no libraries and a fresh Lua state. */
  flush(): void {
    this.libraries = new Map();
    this.functions = new Map();
    this.engine = this.newEngine();
  }

  /**
   * Replaces every library by those of codes, loaded in order into a fresh Lua state; on the
   * first error nothing changes and the error is returned (FUNCTION RESTORE).
   */
  rebuild(codes: readonly string[]): string | null {
    const saved = { libraries: this.libraries, functions: this.functions, engine: this.engine };
    this.flush();
    for (const code of codes) {
      const r = this.load(code, false);
      if ('error' in r) {
        Object.assign(this, saved);
        return r.error;
      }
    }
    return null;
  }

  private installLibraryApi(L: LuaState): void {
    // The library's redis table: register_function, log and the constants, read-only, and
    // unknown fields are errors (redis.call does not exist while a library loads).
    lua.lua_createtable(L, 0, 8);
    lua.lua_pushcfunction(L, (S) => this.registerFunction(S));
    lua.lua_setfield(L, -2, lstr('register_function'));
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr('__redoubt_globals'));
    lua.lua_getfield(L, -1, lstr('redis'));
    for (const k of [
      'log',
      'LOG_DEBUG',
      'LOG_VERBOSE',
      'LOG_NOTICE',
      'LOG_WARNING',
      'REDIS_VERSION',
      'REDIS_VERSION_NUM',
    ]) {
      lua.lua_getfield(L, -1, lstr(k));
      lua.lua_setfield(L, -4, lstr(k));
    }
    lua.lua_pop(L, 2);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lstr(LIBRARY_REDIS));
    const index: LuaCFunction = (S) => {
      lua.lua_getfield(S, lua.LUA_REGISTRYINDEX, lstr(LIBRARY_REDIS));
      lua.lua_pushvalue(S, 2);
      if (lua.lua_rawget(S, -2) !== lua.LUA_TNIL) return 1;
      return raiseAt(S, `Script attempted to access nonexistent global variable '${getStr(S, 2) ?? '?'}'`);
    };
    lua.lua_createtable(L, 0, 1); // the library globals
    lua.lua_createtable(L, 0, 0); // the read-only view of the redis table
    lua.lua_createtable(L, 0, 3);
    lua.lua_pushcfunction(L, index);
    lua.lua_setfield(L, -2, lstr('__index'));
    lua.lua_pushcfunction(L, readonlyError);
    lua.lua_setfield(L, -2, lstr('__newindex'));
    lua.lua_pushboolean(L, false);
    lua.lua_setfield(L, -2, lstr('__metatable'));
    lua.lua_setmetatable(L, -2);
    lua.lua_setfield(L, -2, lstr('redis'));
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lstr(LIBRARY_API));
    lua.lua_createtable(L, 0, 0);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lstr(CALLBACKS));
  }

  private registerFunction(L: LuaState): number {
    const lib = this.loading;
    if (lib === null) raiseError(L, 'redis.register_function can only be called on FUNCTION LOAD command');
    const argc = lua.lua_gettop(L);
    if (argc < 1 || argc > 2) raiseError(L, 'wrong number of arguments to redis.register_function');
    let name: string | null = null;
    let desc: string | null = null;
    let flags = 0;
    let hasCallback = false;
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(STAGING));
    const staging = lua.lua_gettop(L);
    if (argc === 2) {
      name = lua.lua_isstring(L, 1) ? getStr(L, 1) : null;
      if (name === null) raiseError(L, 'first argument to redis.register_function must be a string');
      if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) {
        raiseError(L, 'second argument to redis.register_function must be a function');
      }
      lua.lua_pushvalue(L, 2);
      hasCallback = true;
    } else {
      if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
        raiseError(
          L,
          'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).',
        );
      }
      lua.lua_pushnil(L); // the callback slot
      const cb = lua.lua_gettop(L);
      lua.lua_pushnil(L);
      while (lua.lua_next(L, 1) !== 0) {
        if (!lua.lua_isstring(L, -2))
          raiseError(L, 'named argument key given to redis.register_function is not a string');
        lua.lua_pushvalue(L, -2); // a copy: converting the key itself would confuse next()
        const key = getStr(L, -1)!.toLowerCase();
        lua.lua_pop(L, 1);
        if (key === 'function_name') {
          name = lua.lua_isstring(L, -1) ? getStr(L, -1) : null;
          if (name === null) raiseError(L, 'function_name argument given to redis.register_function must be a string');
        } else if (key === 'description') {
          desc = lua.lua_isstring(L, -1) ? getStr(L, -1) : null;
          if (desc === null) raiseError(L, 'description argument given to redis.register_function must be a string');
        } else if (key === 'callback') {
          if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION) {
            raiseError(L, 'callback argument given to redis.register_function must be a function');
          }
          lua.lua_pushvalue(L, -1);
          lua.lua_replace(L, cb);
          hasCallback = true;
        } else if (key === 'flags') {
          if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
            raiseError(L, 'flags argument to redis.register_function must be a table representing function flags');
          }
          const f = readFlags(L, lua.lua_gettop(L));
          if (f === null) raiseError(L, 'unknown flag given');
          flags = f;
        } else raiseError(L, 'unknown argument given to redis.register_function');
        lua.lua_pop(L, 1);
      }
      if (name === null) raiseError(L, 'redis.register_function must get a function name argument');
      if (!hasCallback) raiseError(L, 'redis.register_function must get a callback argument');
    }
    if (!NAME_RE.test(name)) raiseError(L, BAD_NAME);
    if (lib.functions.has(name.toLowerCase())) raiseError(L, 'Function already exists in the library');
    lua.lua_setfield(L, staging, lstr(name.toLowerCase()));
    lib.functions.set(name.toLowerCase(), { name, library: lib.name, description: desc, flags });
    return 0;
  }

  /** FUNCTION LOAD: the library name, or an error text (without ERR). */
  load(code: string, replace: boolean): { name: string } | { error: string } {
    const meta = parseMetadata(code);
    if ('error' in meta) return meta;
    if (!NAME_RE.test(meta.name)) return { error: BAD_NAME };
    if (meta.engine.toLowerCase() !== 'lua') return { error: `Engine '${meta.engine}' not found` };
    const old = this.libraries.get(meta.name);
    if (old !== undefined && !replace) return { error: `Library '${meta.name}' already exists` };
    const lib: Library = { name: meta.name, engine: 'LUA', code, functions: new Map() };
    const err = this.runLibrary(lib, code.slice(meta.skip));
    if (err !== null) return { error: err };
    if (lib.functions.size === 0) return { error: 'No functions registered' };
    for (const f of lib.functions.keys()) {
      const owner = this.functions.get(f);
      if (owner !== undefined && owner.library !== lib.name) {
        return { error: `Function ${lib.functions.get(f)!.name} already exists` };
      }
    }
    if (old !== undefined) this.unlink(old);
    this.link(lib);
    return { name: lib.name };
  }

  /** Compiles and runs a library's top-level code; registered callbacks land in STAGING. */
  private runLibrary(lib: Library, body: string): string | null {
    const L = this.engine.L;
    lua.lua_createtable(L, 0, 4);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lstr(STAGING));
    const b = toLua(body);
    if (lauxlib.luaL_loadbufferx(L, b, b.length, lstr('@user_function'), lstr('t')) !== lua.LUA_OK) {
      const msg = getStr(L, -1) ?? '';
      lua.lua_settop(L, 0);
      return `Error compiling function: ${msg.replace(/ near (<eof>|<number>|<integer>|<name>|<string>)$/, " near '$1'")}`;
    }
    this.loading = lib;
    setGlobalsView(L, LIBRARY_API);
    // A library's top-level code gets LOAD_TIMEOUT_MS, as in Redis.
    const deadline = Date.now() + LOAD_TIMEOUT_MS;
    lua.lua_sethook(
      L,
      (S) => {
        if (Date.now() > deadline) raiseError(S, 'FUNCTION LOAD timeout');
      },
      lua.LUA_MASKCOUNT,
      100000,
    );
    let status: number;
    try {
      status = lua.lua_pcall(L, 0, 0, 0);
    } catch (e) {
      lua.lua_settop(L, 0);
      lua.lua_pushstring(L, toLua(String((e as Error).message)));
      status = -1;
    }
    lua.lua_sethook(L, null, 0, 0);
    setGlobalsView(L, null);
    this.loading = null;
    if (status !== lua.LUA_OK) {
      const msg = readErrorTable(L).msg;
      lua.lua_settop(L, 0);
      return `Error registering functions: ${msg}`;
    }
    lua.lua_settop(L, 0);
    return null;
  }

  private link(lib: Library): void {
    const L = this.engine.L;
    this.libraries.set(lib.name, lib);
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(CALLBACKS));
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(STAGING));
    for (const [key, f] of lib.functions) {
      this.functions.set(key, f);
      lua.lua_getfield(L, -1, lstr(key));
      lua.lua_setfield(L, -3, lstr(key));
    }
    lua.lua_settop(L, 0);
  }

  unlink(lib: Library): void {
    const L = this.engine.L;
    this.libraries.delete(lib.name);
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(CALLBACKS));
    for (const f of lib.functions.keys()) {
      this.functions.delete(f);
      lua.lua_pushnil(L);
      lua.lua_setfield(L, -2, lstr(f));
    }
    lua.lua_settop(L, 0);
  }

  /** Pushes the error handler and the callback of a function (FCALL). */
  pushFunction(name: string): boolean {
    const L = this.engine.L;
    name = name.toLowerCase();
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr('__redoubt_err_handler'));
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(CALLBACKS));
    lua.lua_getfield(L, -1, lstr(name));
    lua.lua_remove(L, -2);
    if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION) {
      lua.lua_settop(L, 0);
      return false;
    }
    return true;
  }
}

/** "#!lua name=<lib>" → engine, name and the shebang's length. */
function parseMetadata(code: string): { engine: string; name: string; skip: number } | { error: string } {
  if (!code.startsWith('#!')) return { error: 'Missing library metadata' };
  const end = code.indexOf('\n');
  if (end < 0) return { error: 'Invalid library metadata' };
  const parts = splitArgs(code.slice(0, end));
  if (parts === null || parts.length === 0) return { error: 'Invalid library metadata' };
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) return { error: 'Invalid metadata value, name argument was given multiple times' };
      name = part.slice(5);
      continue;
    }
    return { error: `Invalid metadata value given: ${part}` };
  }
  if (name === null) return { error: 'Library name was not given' };
  return { engine: parts[0]!.slice(2), name, skip: end };
}

const stores = new WeakMap<Server, FunctionStore>();

export function peekFunctions(server: Server): FunctionStore | undefined {
  return stores.get(server);
}

export function functionsOf(server: Server): FunctionStore {
  let s = stores.get(server);
  if (s === undefined) {
    s = new FunctionStore(server);
    stores.set(server, s);
  }
  return s;
}
