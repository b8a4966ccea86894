// The `redis` table scripts see: call/pcall, error_reply/status_reply, sha1hex, log,
// setresp, set_repl, replicate_commands, breakpoint/debug, acl_check_cmd, the version and the
// LOG_* / REPL_* constants — each checking its arguments with Redis's wording.

import { createHash } from 'node:crypto';
import type { Server } from '../server/server.js';
import { REDIS_VERSION } from '../server/version.js';
import { aclOf } from '../acl/provider.js';
import { type LuaState, type LuaCFunction, lua, lstr, getStr, pushStr } from './lua.js';
import { argString, isErrorReply, pushCommandReply, pushErrorTable } from './convert.js';
import { type RunCtx, scriptCall } from './run.js';

/** What the API needs from the engine: the invocation in progress, if any. */
export interface ApiHost {
  readonly server: Server;
  current(): RunCtx | null;
}

/** Raises the error table of a message (Redis's luaPushError + lua_error). */
export function raiseError(L: LuaState, text: string): never {
  pushErrorTable(L, text);
  lua.lua_error(L);
  throw new Error('unreachable');
}

function requireRun(host: ApiHost, L: LuaState, what: string): RunCtx {
  const run = host.current();
  if (run === null) raiseError(L, `${what} can only be called inside a script invocation`);
  return run;
}

/** The arguments on the stack as command arguments, or null after pushing Redis's error table. */
function argvFromStack(L: LuaState): string[] | null {
  const argc = lua.lua_gettop(L);
  if (argc === 0) {
    pushErrorTable(L, 'Please specify at least one argument for this redis lib call');
    return null;
  }
  const argv: string[] = [];
  for (let j = 1; j <= argc; j++) {
    const s = argString(L, j);
    if (s === null) {
      lua.lua_settop(L, 0);
      pushErrorTable(L, 'Lua redis lib command arguments must be strings or integers');
      return null;
    }
    argv.push(s);
  }
  lua.lua_settop(L, 0);
  return argv;
}

function genericCall(host: ApiHost, L: LuaState, raise: boolean): number {
  const run = requireRun(host, L, 'redis.call/pcall');
  const argv = argvFromStack(L);
  if (argv === null) return raise ? lua.lua_error(L) : 1;
  const err = scriptCall(run, argv);
  if (err !== null) {
    pushErrorTable(L, err, true);
    return raise ? lua.lua_error(L) : 1;
  }
  const parts = run.sc.reply.take();
  const reply = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  pushCommandReply(L, reply);
  if (raise && isErrorReply(reply)) return lua.lua_error(L);
  return 1;
}

const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;

function logCommand(host: ApiHost, L: LuaState): number {
  const argc = lua.lua_gettop(L);
  if (argc < 2) raiseError(L, 'redis.log() requires two arguments or more.');
  if (!lua.lua_isnumber(L, 1)) raiseError(L, 'First argument must be a number (log level).');
  const level = Math.trunc(lua.lua_tonumber(L, 1));
  if (level < 0 || level > 3) raiseError(L, 'Invalid debug level.');
  const parts: string[] = [];
  for (let j = 2; j <= argc; j++) {
    const s = getStr(L, j);
    if (s !== null) parts.push(s);
  }
  host.server.log[LOG_LEVELS[level]!](parts.join(' '));
  return 0;
}

/** Pushes a one-field table {field = arg 1} after Redis's argument check. */
function singleField(L: LuaState, field: string): number {
  if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
    pushErrorTable(L, 'wrong number or type of arguments');
    return 1;
  }
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushvalue(L, -2);
  lua.lua_setfield(L, -2, lstr(field));
  return 1;
}

function aclCheckCmd(host: ApiHost, L: LuaState): number {
  const run = requireRun(host, L, 'redis.acl_check_cmd');
  const argv = argvFromStack(L);
  if (argv === null) return lua.lua_error(L);
  const cmd = host.server.commands.lookup(argv);
  if (cmd === undefined) raiseError(L, 'Invalid command passed to redis.acl_check_cmd()');
  const acl = aclOf(host.server);
  const ok = typeof acl.evaluate !== 'function' || acl.evaluate(acl.userOf(run.caller), cmd, argv).ok;
  lua.lua_pushboolean(L, ok);
  return 1;
}

/** REDIS_VERSION_NUM: 0x00MMmmpp. */
function versionNum(v: string): number {
  const [a, b, c] = v.split('.').map(Number);
  return ((a ?? 0) << 16) | ((b ?? 0) << 8) | (c ?? 0);
}

/** Pushes the `redis` table. */
export function pushRedisApi(L: LuaState, host: ApiHost): void {
  lua.lua_createtable(L, 0, 32);
  const fns: Record<string, LuaCFunction> = {
    call: (S) => genericCall(host, S, true),
    pcall: (S) => genericCall(host, S, false),
    log: (S) => logCommand(host, S),
    setresp: (S) => {
      const run = requireRun(host, S, 'redis.setresp');
      if (lua.lua_gettop(S) !== 1) raiseError(S, 'redis.setresp() requires one argument.');
      const resp = Math.trunc(lua.lua_tonumber(S, 1));
      if (resp !== 2 && resp !== 3) raiseError(S, 'RESP version must be 2 or 3.');
      run.sc.resp = resp;
      return 0;
    },
    sha1hex: (S) => {
      if (lua.lua_gettop(S) !== 1) raiseError(S, 'wrong number of arguments');
      const b = lua.lua_tolstring(S, 1) ?? new Uint8Array(0);
      pushStr(S, createHash('sha1').update(b).digest('hex'));
      return 1;
    },
    error_reply: (S) => {
      if (lua.lua_gettop(S) !== 1 || lua.lua_type(S, -1) !== lua.LUA_TSTRING) {
        pushErrorTable(S, 'wrong number or type of arguments');
        return 1;
      }
      const e = getStr(S, -1)!;
      pushErrorTable(S, e.startsWith('-') ? e : '-' + e);
      return 1;
    },
    status_reply: (S) => singleField(S, 'ok'),
    set_repl: (S) => {
      const run = requireRun(host, S, 'redis.set_repl');
      if (lua.lua_gettop(S) !== 1) raiseError(S, 'redis.set_repl() requires two arguments.');
      const flags = Math.trunc(lua.lua_tonumber(S, -1));
      if ((flags & ~3) !== 0) {
        raiseError(S, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
      }
      run.replFlags = flags;
      return 0;
    },
    replicate_commands: (S) => {
      lua.lua_pushboolean(S, true);
      return 1;
    },
    breakpoint: (S) => {
      lua.lua_pushboolean(S, false);
      return 1;
    },
    debug: () => 0,
    acl_check_cmd: (S) => aclCheckCmd(host, S),
  };
  for (const [name, f] of Object.entries(fns)) {
    lua.lua_pushcfunction(L, f);
    lua.lua_setfield(L, -2, lstr(name));
  }
  const nums: [string, number][] = [
    ['LOG_DEBUG', 0],
    ['LOG_VERBOSE', 1],
    ['LOG_NOTICE', 2],
    ['LOG_WARNING', 3],
    ['REPL_NONE', 0],
    ['REPL_AOF', 1],
    ['REPL_SLAVE', 2],
    ['REPL_REPLICA', 2],
    ['REPL_ALL', 3],
    ['REDIS_VERSION_NUM', versionNum(REDIS_VERSION)],
  ];
  for (const [name, n] of nums) {
    lua.lua_pushnumber(L, n);
    lua.lua_setfield(L, -2, lstr(name));
  }
  pushStr(L, REDIS_VERSION);
  lua.lua_setfield(L, -2, lstr('REDIS_VERSION'));
}
