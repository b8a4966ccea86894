// The scripting engine of one server: the Lua state, the EVAL script cache (sha1 → body and
// flags, the compiled function in the registry as f_<sha>), and running a compiled function
// for a client with Redis 7.0's error format ("<msg> script: <sha>, on @user_script:<line>.").
//
// A script running longer than busy-reply-threshold (lua-time-limit) milliseconds makes the
// server BUSY (see busy.ts): it runs on in slices between which other clients are served. Where
// that is not possible (see call) it is stopped instead by a count hook, with an error the
// script cannot catch; what it already wrote stays written (and replicated).

import { createHash } from 'node:crypto';
import type { Server } from '../server/server.js';
import { CLIENT, Client } from '../server/client.js';
import { canDefer, deferCall } from '../commands/dispatch.js';
import { type BusyScript, KILLED, busyScript, setBusy } from './busy.js';
import { type LuaState, lua, lauxlib, lstr, pushStr, getStr, toLua, raiseAt, pcallk } from './lua.js';
import { newSandbox, setRealGlobal, getRealGlobal, ERROR_HANDLER_KEY } from './sandbox.js';
import { pushRedisApi, raiseError, type ApiHost } from './redis-api.js';
import { openCjson } from './cjson.js';
import { openBit } from './bit.js';
import { openStruct } from './struct.js';
import { openCmsgpack } from './cmsgpack.js';
import { readErrorTable, writeLuaValue, writeScriptError } from './convert.js';
import { type RunCtx, bindScriptClient, releaseScriptClient } from './run.js';
import { Rand48 } from './rand48.js';

export interface CachedScript {
  body: string;
  flags: number;
}

export function sha1hex(s: string): string {
  return createHash('sha1').update(Buffer.from(s, 'latin1')).digest('hex');
}

/** Instructions between time checks (Redis uses the same count for its hook). */
const HOOK_COUNT = 100000;
/**
 * The same for a script that may yield: checking the clock is cheap, and a script busy with
 * redis.call runs far fewer instructions per millisecond here than in Redis.
 */
const YIELD_HOOK_COUNT = 1000;

export class ScriptEngine implements ApiHost {
  L: LuaState;
  readonly scripts = new Map<string, CachedScript>();
  /** Bytes of script bodies in the cache (INFO used_memory_scripts_eval). */
  scriptsBytes = 0;
  run: RunCtx | null = null;
  readonly sc: Client;
  readonly rand = new Rand48();
  constructor(readonly server: Server) {
    this.sc = new Client(0, server, 'lua', '', -1);
    this.L = this.newState();
  }

  current(): RunCtx | null {
    return this.run;
  }

  private newState(): LuaState {
    const L = newSandbox({
      redis: (S) => pushRedisApi(S, this),
      cjson: openCjson,
      bit: openBit,
      struct: openStruct,
      cmsgpack: openCmsgpack,
    });
    this.installRandom(L);
    return L;
  }

  /** math.random / math.randomseed on Redis's own rand48, the same sequence on every platform. */
  private installRandom(L: LuaState): void {
    getRealGlobal(L, 'math');
    // The proxy's metatable __index is the real math table.
    lua.lua_getmetatable(L, -1);
    lua.lua_getfield(L, -1, lstr('__index'));
    lua.lua_pushcfunction(L, (S) => {
      if (this.run === null) raiseError(S, 'math.random can only be called inside a script invocation');
      const r = this.rand.next() / 2147483647;
      const argc = lua.lua_gettop(S);
      if (argc === 0) lua.lua_pushnumber(S, r);
      else if (argc === 1) {
        const u = Math.trunc(lauxlib.luaL_checknumber(S, 1));
        if (u < 1) raiseArg(S, 1);
        lua.lua_pushnumber(S, Math.floor(r * u) + 1);
      } else if (argc === 2) {
        const l = Math.trunc(lauxlib.luaL_checknumber(S, 1));
        const u = Math.trunc(lauxlib.luaL_checknumber(S, 2));
        if (l > u) raiseArg(S, 2);
        lua.lua_pushnumber(S, Math.floor(r * (u - l + 1)) + l);
      } else raiseError(S, 'wrong number of arguments');
      return 1;
    });
    lua.lua_setfield(L, -2, lstr('random'));
    lua.lua_pushcfunction(L, (S) => {
      if (this.run === null) raiseError(S, 'math.randomseed can only be called inside a script invocation');
      this.rand.seed(Math.trunc(lauxlib.luaL_checknumber(S, 1)));
      return 0;
    });
    lua.lua_setfield(L, -2, lstr('randomseed'));
    lua.lua_pop(L, 3);
  }

  /** SCRIPT FLUSH: a fresh Lua state and an empty cache. */
  reset(): void {
    this.scripts.clear();
    this.scriptsBytes = 0;
    this.L = this.newState();
  }

  /**
   * Compiles body into the registry under name; null on success, else Lua's message. The
   * first line (a shebang) is blanked out but kept as a line so line numbers stay right.
   */
  compile(name: string, body: string, skip: number, chunkname = '@user_script'): string | null {
    const L = this.L;
    const code = toLua(body.slice(skip));
    if (lauxlib.luaL_loadbufferx(L, code, code.length, lstr(chunkname), lstr('t')) !== lua.LUA_OK) {
      const msg = getStr(L, -1) ?? 'unknown error';
      lua.lua_pop(L, 1);
      // Lua 5.1 quotes every token in syntax errors; 5.3 leaves <eof> and friends bare.
      return msg.replace(/ near (<eof>|<number>|<integer>|<name>|<string>)$/, " near '$1'");
    }
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, lstr(name));
    return null;
  }

  /** Pushes the error handler and the registry function `name`; false when it does not exist. */
  pushFunction(name: string): boolean {
    const L = this.L;
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(ERROR_HANDLER_KEY));
    if (lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, lstr(name)) === lua.LUA_TNIL) {
      lua.lua_settop(L, 0);
      return false;
    }
    return true;
  }

  /**
   * Calls the function pushed by pushFunction with nargs arguments above it (FCALL passes
   * KEYS and ARGV as arguments; EVAL sets them as globals first) and writes its reply.
   * A script called by a connected client's own command may outlive the call: past
   * busy-reply-threshold it yields to the event loop (the server is BUSY) and replies when it
   * ends. Anywhere else (MULTI/EXEC, the master client, AOF loading, a replica) it is stopped
   * at the threshold instead.
   */
  call(run: RunCtx, nargs: number, isEval: boolean): void {
    const L = this.L;
    const c = run.caller;
    const limit = this.server.config.int('busy-reply-threshold');
    run.deadline = limit > 0 ? Date.now() + limit : Infinity;
    bindScriptClient(this.sc, c);
    this.run = run;
    if (run.deadline !== Infinity && this.mayYield(c)) return this.callYielding(run, nargs, isEval);
    if (run.deadline !== Infinity) this.setTimeHook(L, limit);
    let status: number;
    try {
      status = lua.lua_pcall(L, nargs, 1, -2 - nargs);
    } catch (e) {
      // The VM itself failed (a bug or an exhausted JS stack): the server must survive it.
      lua.lua_settop(L, 0);
      pushStr(L, (e as Error).message ?? String(e));
      status = -1;
    }
    lua.lua_sethook(L, null, 0, 0);
    this.finish(run, L, status);
  }

  /** Whether a script of c may yield (see call): only for a client's own top-level command. */
  private mayYield(c: Client): boolean {
    if (c.control === null || c.has(CLIENT.master | CLIENT.multi | CLIENT.denyBlocking)) return false;
    return !this.server.repl.isReplica && canDefer(c) && busyScript(this.server) === null;
  }

  /** Writes the reply of a finished run (its value or error on top of S) and clears the run. */
  private finish(run: RunCtx, S: LuaState, status: number): void {
    const c = run.caller;
    this.run = null;
    const target = {
      out: c.reply,
      scriptResp: this.sc.resp,
      countError: (code: string) => this.server.stats.countError(code),
    };
    if (status !== lua.LUA_OK) {
      if (lua.lua_type(S, -1) !== lua.LUA_TTABLE) {
        const msg = lua.lua_isstring(S, -1) ? getStr(S, -1)! : 'execution failure';
        c.reply.error(`Error running script ${run.funcname}, ${msg.slice(0, 100)} `);
      } else {
        const e = readErrorTable(S);
        let text = e.msg;
        if (e.line !== null && e.source !== null) text += ` script: ${run.funcname}, on ${e.source}:${e.line}.`;
        writeScriptError(c.reply, text, e.ignoreStats, target.countError);
      }
    } else {
      writeLuaValue(S, target);
    }
    lua.lua_settop(S, 0);
    lua.lua_settop(this.L, 0);
    releaseScriptClient(this.sc);
  }

  /**
   * Runs the call in a coroutine whose count hook yields once the deadline has passed. The
   * coroutine's body is a protected call with the same message handler as call()'s, so errors
   * carry the same script name and line. The first slice runs now; if it yields, the server
   * turns BUSY, the client's command is completed later (dispatch's deferCall) and each
   * further slice runs from the event loop.
   */
  private callYielding(run: RunCtx, nargs: number, isEval: boolean): void {
    const L = this.L;
    const server = this.server;
    const c = run.caller;
    const co = lua.lua_newthread(L);
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_pushcfunction(co, protectedBody);
    lua.lua_xmove(L, co, nargs + 2);
    const busy: BusyScript = { run, isEval, started: Date.now(), argv: c.argv, killed: false };
    const kill = (S: LuaState): void => {
      // Every line from now on fails too, so that pcall cannot swallow the kill.
      lua.lua_sethook(S, kill, lua.LUA_MASKLINE, 0);
      raiseError(S, KILLED);
    };
    lua.lua_sethook(
      co,
      (S) => {
        if (busy.killed) kill(S);
        // A coroutine of the script's own must not yield on our behalf; it yields once back.
        if (S === co && Date.now() > run.deadline && lua.lua_isyieldable(S)) lua.lua_yield(S, 0);
      },
      lua.LUA_MASKCOUNT,
      YIELD_HOOK_COUNT,
    );
    const time = server.now();
    let done: (() => void) | null = null;
    const step = (first: boolean): void => {
      if (busy.killed) lua.lua_sethook(co, kill, lua.LUA_MASKLINE, 0);
      let status: number;
      try {
        status = lua.lua_resume(co, L, first ? nargs + 2 : 0);
      } catch (e) {
        lua.lua_settop(co, 0);
        pushStr(co, (e as Error).message ?? String(e));
        status = -1;
      }
      if (status === lua.LUA_YIELD) {
        if (done === null) {
          done = deferCall(c);
          setBusy(server, busy);
          server.log.warning(
            `Slow script detected: still in execution after ${Date.now() - busy.started} milliseconds. You can try killing the script using the ${isEval ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${run.funcname}.`,
          );
        }
        setImmediate(() => this.resumeSlice(c, time, () => step(false), busy));
        return;
      }
      lua.lua_sethook(co, null, 0, 0);
      if (busy.killed) server.log.warning('Lua script killed by user with SCRIPT KILL.');
      setBusy(server, null);
      if (status === lua.LUA_OK) {
        // protectedBody returned the pcall status under the value or error.
        status = lua.lua_tointeger(co, -2);
      }
      this.finish(run, co, status);
      lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, ref);
      if (done !== null) done();
    };
    step(true);
  }

  /**
   * Runs one later slice of a busy script as inside its command: its client, its frozen time
   * (the script client keeps what the script set: its db, its RESP version).
   */
  private resumeSlice(c: Client, time: number, slice: () => void, busy: BusyScript): void {
    const server = this.server;
    const outer = server.currentClient;
    server.currentClient = c;
    try {
      server.withFrozenTime(() => {
        server.cmdTime = time;
        slice();
      });
    } catch (e) {
      // Outside any command: a bug here must not take the server down nor leave it BUSY.
      server.log.warning(`Internal error running a busy script: ${(e as Error).stack ?? String(e)}`);
      if (busyScript(server) === busy) setBusy(server, null);
    } finally {
      server.currentClient = outer;
    }
  }

  private setTimeHook(L: LuaState, limit: number): void {
    const stop = (S: LuaState): void => {
      // Every line from now on fails too, so that pcall cannot swallow the stop.
      lua.lua_sethook(S, stop, lua.LUA_MASKLINE, 0);
      raiseError(S, `Script exceeded busy-reply-threshold (${limit} ms) and was stopped`);
    };
    lua.lua_sethook(
      L,
      (S) => {
        if (this.run !== null && Date.now() > this.run.deadline) stop(S);
      },
      lua.LUA_MASKCOUNT,
      HOOK_COUNT,
    );
  }

  /** Sets KEYS and ARGV for an EVAL script. */
  setKeysArgv(keys: readonly string[], args: readonly string[]): void {
    const L = this.L;
    pushArray(L, keys);
    setRealGlobal(L, 'KEYS');
    pushArray(L, args);
    setRealGlobal(L, 'ARGV');
  }
}

/**
 * The body of a yielding run: [handler, f, args...] → [status, value or error], by a
 * protected call that may yield (its continuation receives the status after a resume).
 */
const protectedBody = (S: LuaState): number => {
  const status = pcallk(S, lua.lua_gettop(S) - 2, 1, 1, 0, bodyDone);
  return bodyDone(S, status);
};

function bodyDone(S: LuaState, status: number): number {
  lua.lua_pushinteger(S, status === lua.LUA_YIELD ? lua.LUA_OK : status);
  lua.lua_insert(S, -2);
  return 2;
}

export function pushArray(L: LuaState, items: readonly string[]): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushStr(L, items[i]!);
    lua.lua_rawseti(L, -2, i + 1);
  }
}

function raiseArg(L: LuaState, n: number): never {
  return raiseAt(L, `bad argument #${n} to 'random' (interval is empty)`);
}

const engines = new WeakMap<Server, ScriptEngine>();

/** The server's engine if one was created (INFO must not create one). */
export function peekEngine(server: Server): ScriptEngine | undefined {
  return engines.get(server);
}

/** The server's scripting engine, created on first use. */
export function engineOf(server: Server): ScriptEngine {
  let e = engines.get(server);
  if (e === undefined) {
    e = new ScriptEngine(server);
    engines.set(server, e);
  }
  return e;
}
