// EVAL / EVALSHA / EVAL_RO / EVALSHA_RO and SCRIPT LOAD|EXISTS|FLUSH|KILL|DEBUG|HELP.
// The Lua side lives in src/scripting; here are the argument rules, the script cache by
// sha1, shebang flags ("#!lua flags=no-writes,allow-oom") and the checks Redis makes before a
// script starts. A script's writes are replicated as the commands it ran (wrapped in
// MULTI/EXEC by the propagation core); EVAL itself never is.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { E } from '../protocol/errors.js';
import { gate } from './dispatch.js';
import { type ScriptRef, effectiveFlags } from '../scripting/cmd-flags.js';
import { CLIENT } from '../server/client.js';
import { enoughGoodReplicas } from '../replication/registry.js';
import { scriptDiskErrorRefusal } from '../persist/disk-error.js';
import { splitArgs } from '../protocol/splitargs.js';
import { parseInt64 } from './args.js';
import { PROP } from '../replication/propagate.js';
import { feedMonitors } from '../server/monitor.js';
import { type ScriptEngine, type CachedScript, engineOf, peekEngine, sha1hex } from '../scripting/engine.js';
import { peekFunctions } from '../scripting/functions.js';
import { addInfoProvider } from './info.js';
import { type RunCtx, SCRIPT_FLAG, SCRIPT_FLAG_NAMES } from '../scripting/run.js';
import { killBusy } from '../scripting/busy.js';

const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';

// INFO memory: the script cache and function library counts.
addInfoProvider('memory', (server) => {
  const e = peekEngine(server);
  const f = peekFunctions(server);
  return {
    used_memory_scripts_eval: e?.scriptsBytes ?? 0,
    number_of_cached_scripts: e?.scripts.size ?? 0,
    number_of_functions: f?.functions.size ?? 0,
    number_of_libraries: f?.libraries.size ?? 0,
  };
});

/** Shebang flags of a script body and the shebang's length, or an error text. */
export function shebangFlags(body: string): { flags: number; skip: number } | { error: string } {
  if (!body.startsWith('#!')) return { flags: SCRIPT_FLAG.evalCompat, skip: 0 };
  const end = body.indexOf('\n');
  if (end < 0) return { error: 'Invalid script shebang' };
  const parts = splitArgs(body.slice(0, end));
  if (parts === null || parts.length === 0) return { error: 'Invalid engine in script shebang' };
  if (parts[0] !== '#!lua') return { error: `Unexpected engine in script shebang: ${parts[0]}` };
  let flags = 0;
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return { error: `Unknown lua shebang option: ${part}` };
    const list = part.slice(6);
    if (list === '') continue;
    for (const name of list.split(',')) {
      const bit = SCRIPT_FLAG_NAMES.find(([n]) => n === name)?.[1];
      if (bit === undefined) return { error: `Unexpected flag in script shebang: ${name}` };
      flags |= bit;
    }
  }
  return { flags, skip: end };
}

/** Adds body to the cache (compiling it) and returns its sha, or replies the error and returns null. */
export function createScript(c: Client, engine: ScriptEngine, body: string): string | null {
  const sha = sha1hex(body);
  if (engine.scripts.has(sha)) return sha;
  const sb = shebangFlags(body);
  if ('error' in sb) {
    c.reply.error(sb.error);
    return null;
  }
  const err = engine.compile('f_' + sha, body, sb.skip);
  if (err !== null) {
    c.reply.error(`Error compiling script (new function): ${err}`);
    return null;
  }
  engine.scripts.set(sha, { body, flags: sb.flags });
  engine.scriptsBytes += body.length + 40;
  return sha;
}

/** Whether the server is over maxmemory for a write (evicting first, as the gate does). */
function outOfMemory(c: Client, engine: ScriptEngine): boolean {
  const server = c.server;
  if (server.oomCheck === null || server.config.int('maxmemory') <= 0) return false;
  const probe = server.commands.lookupOriginal('set');
  return probe !== undefined && server.oomCheck(engine.sc, probe);
}

/** The checks Redis makes before running a script with declared flags; the error or null. */
function startRefusal(c: Client, flags: number, ro: boolean, oom: boolean): string | null {
  if ((flags & SCRIPT_FLAG.evalCompat) !== 0) return null;
  if ((flags & SCRIPT_FLAG.noWrites) === 0) {
    const obey = c.has(CLIENT.master);
    if (!obey && c.server.repl.isReplica && c.server.config.bool('replica-read-only')) {
      return 'READONLY Can not run script with write flag on readonly replica';
    }
    const disk = obey ? null : scriptDiskErrorRefusal(c.server);
    if (disk !== null) return disk;
    if (ro) return 'ERR Can not execute a script with write flag using *_ro command.';
    if (!c.server.repl.isReplica && !enoughGoodReplicas(c.server)) return E.noReplicas;
  }
  if (oom && (flags & (SCRIPT_FLAG.allowOom | SCRIPT_FLAG.noWrites)) === 0) {
    return "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'";
  }
  return null;
}

/** Builds the run context of a script, or replies why it may not start and returns null. */
export function prepareRun(
  c: Client,
  engine: ScriptEngine,
  funcname: string,
  flags: number,
  ro: boolean,
): RunCtx | null {
  const compat = (flags & SCRIPT_FLAG.evalCompat) !== 0;
  const oom = outOfMemory(c, engine);
  const refused = startRefusal(c, flags, ro, oom);
  if (refused !== null) {
    c.reply.error(refused);
    return null;
  }
  return {
    caller: c,
    sc: engine.sc,
    funcname,
    readOnly: ro || (!compat && (flags & SCRIPT_FLAG.noWrites) !== 0),
    allowOom: !compat && (flags & SCRIPT_FLAG.allowOom) !== 0,
    dirty: false,
    oomAtStart: oom,
    deadline: Infinity,
    replFlags: 3,
  };
}

/** numkeys of EVAL/FCALL, or null after replying the error. */
export function parseNumkeys(c: Client, argv: string[]): number | null {
  const n = parseInt64(argv[2]!);
  if (n === null) {
    c.reply.error(E.notInteger);
    return null;
  }
  if (n > BigInt(argv.length - 3)) {
    c.reply.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  if (n < 0n) {
    c.reply.error("ERR Number of keys can't be negative");
    return null;
  }
  return Number(n);
}

function evalGeneric(c: Client, argv: string[], bySha: boolean, ro: boolean): void {
  // Monitors see the script before the commands it runs.
  if (c.lastCmd !== null) feedMonitors(c, c.lastCmd, argv);
  const engine = engineOf(c.server);
  const numkeys = parseNumkeys(c, argv);
  if (numkeys === null) return;
  let sha: string | null;
  if (bySha) {
    sha = argv[1]!.length === 40 ? argv[1]!.toLowerCase() : null;
    if (sha === null || !engine.scripts.has(sha)) return c.reply.error(NOSCRIPT);
  } else {
    sha = createScript(c, engine, argv[1]!);
    if (sha === null) return;
  }
  const script: CachedScript = engine.scripts.get(sha)!;
  const run = prepareRun(c, engine, sha, script.flags, ro);
  if (run === null) return;
  // The script's effects are replicated command by command, never EVAL itself.
  c.propFlags |= PROP.prevent;
  if (!engine.pushFunction('f_' + sha)) return c.reply.error(NOSCRIPT);
  engine.setKeysArgv(argv.slice(3, 3 + numkeys), argv.slice(3 + numkeys));
  engine.call(run, 0, true);
}

const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts (only NO is supported by Redoubt).',
  'EXISTS <sha1> [<sha1> ...]',
  '    For each sha1, 1 if the script is in the script cache, else 0.',
  'FLUSH [ASYNC|SYNC]',
  '    Empty the script cache (ASYNC and SYNC behave the same).',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Add a script to the script cache without running it; returns its sha1.',
  'HELP',
  '    Print this help.',
];

/** A shebang's flags for the gate, or null when the body has none (or a bad one). */
function bodyFlags(body: string): number | null {
  const sb = shebangFlags(body);
  return 'error' in sb ? null : sb.flags;
}

export const scriptingCommands: CommandImpls = {
  eval: (c, argv) => evalGeneric(c, argv, false, false),
  evalsha: (c, argv) => evalGeneric(c, argv, true, false),
  eval_ro: (c, argv) => evalGeneric(c, argv, false, true),
  evalsha_ro: (c, argv) => evalGeneric(c, argv, true, true),
  'script|help'(c) {
    c.reply.arrayLen(SCRIPT_HELP.length);
    for (const line of SCRIPT_HELP) c.reply.simple(line);
  },
  'script|flush'(c, argv) {
    if (argv.length > 3 || (argv.length === 3 && !/^(a?sync)$/i.test(argv[2]!))) {
      return c.reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    }
    engineOf(c.server).reset();
    c.reply.ok();
  },
  'script|exists'(c, argv) {
    const scripts = engineOf(c.server).scripts;
    c.reply.arrayLen(argv.length - 2);
    for (let j = 2; j < argv.length; j++) c.reply.int(scripts.has(argv[j]!.toLowerCase()) ? 1 : 0);
  },
  'script|load'(c, argv) {
    const sha = createScript(c, engineOf(c.server), argv[2]!);
    if (sha !== null) c.reply.bulk(sha);
  },
  'script|kill'(c) {
    const refused = killBusy(c.server, true);
    if (refused !== null) return c.reply.error(refused);
    c.reply.ok();
  },
  'script|debug'(c, argv) {
    const mode = argv[2]!.toLowerCase();
    if (mode === 'no') return c.reply.ok();
    if (mode === 'yes' || mode === 'sync') return c.reply.error('ERR SCRIPT DEBUG is not supported by Redoubt');
    c.reply.error('ERR Use SCRIPT DEBUG YES/SYNC/NO');
  },
};

// The gate judges EVAL and EVALSHA by the flags their script declares (see scripting/cmd-flags.ts).
const SCRIPT_REFS = new Map<unknown, ScriptRef>([
  [scriptingCommands['eval'], 'body'],
  [scriptingCommands['eval_ro'], 'body'],
  [scriptingCommands['evalsha'], 'sha'],
  [scriptingCommands['evalsha_ro'], 'sha'],
]);

/** Registers how a command names its script (FCALL registers from functions.ts). */
export function addScriptRef(handler: unknown, ref: ScriptRef): void {
  SCRIPT_REFS.set(handler, ref);
}

gate.flagsOf = (c, cmd, argv) => {
  const ref = SCRIPT_REFS.get(cmd.handler);
  return ref === undefined ? cmd.flags : effectiveFlags(c, cmd, argv, ref, bodyFlags);
};
