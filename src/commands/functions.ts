// FUNCTION LOAD|DELETE|FLUSH|LIST|STATS|KILL|DUMP|RESTORE|HELP and FCALL / FCALL_RO. The
// libraries and their Lua state live in src/scripting/functions.ts. Loading, deleting and
// flushing change the dataset's definition, so they count as writes and are replicated as
// typed; FCALL is replicated as the commands the function ran.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { parseInt64 } from './args.js';
import { PROP } from '../replication/propagate.js';
import { globMatch } from '../store/glob.js';
import { feedMonitors } from '../server/monitor.js';
import { functionsOf } from '../scripting/functions.js';
import { pushArray } from '../scripting/engine.js';
import { SCRIPT_FLAG_NAMES } from '../scripting/run.js';
import { busyScript, killBusy } from '../scripting/busy.js';
import { addScriptRef, prepareRun } from './scripting.js';
import { debugSettings } from './debug.js';
import { RdbIn, RdbOut } from '../persist/rdb-io.js';
import { OP, RDB_VERSION } from '../persist/rdb-const.js';
import { crc64 } from '../persist/crc64.js';
import { verifyPayload } from '../persist/rdb-read.js';

function fcall(c: Client, argv: string[], ro: boolean): void {
  // Monitors see FCALL before the commands the function runs.
  if (c.lastCmd !== null) feedMonitors(c, c.lastCmd, argv);
  const store = functionsOf(c.server);
  const f = store.functions.get(argv[1]!.toLowerCase());
  if (f === undefined) return c.reply.error('ERR Function not found');
  const n = parseInt64(argv[2]!);
  if (n === null) return c.reply.error('ERR Bad number of keys provided');
  if (n > BigInt(argv.length - 3)) return c.reply.error("ERR Number of keys can't be greater than number of args");
  if (n < 0n) return c.reply.error("ERR Number of keys can't be negative");
  const numkeys = Number(n);
  const run = prepareRun(c, store.engine, f.name, f.flags, ro);
  if (run === null) return;
  c.propFlags |= PROP.prevent;
  if (!store.pushFunction(f.name)) return c.reply.error('ERR Function not found');
  const L = store.engine.L;
  pushArray(L, argv.slice(3, 3 + numkeys));
  pushArray(L, argv.slice(3 + numkeys));
  store.engine.call(run, 2, false);
}

function flushMode(c: Client, argv: string[]): boolean {
  if (argv.length > 3) {
    c.reply.error("ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.");
    return false;
  }
  if (argv.length === 3 && !/^(a?sync)$/i.test(argv[2]!)) {
    c.reply.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
    return false;
  }
  return true;
}

const HELP = [
  'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a library from code starting with "#!lua name=<library name>"; REPLACE overwrites',
  '    a library of the same name.',
  'DELETE <LIBRARY NAME>',
  '    Delete a library and its functions.',
  'KILL',
  '    Kill the running function (never needed: functions run to completion or time out).',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all libraries.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    List the libraries, optionally only those matching PATTERN, with their code.',
  'STATS',
  '    Information about the running function and the engines.',
  'DUMP',
  '    A serialized payload of all libraries, for FUNCTION RESTORE.',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Load libraries from a FUNCTION DUMP payload; APPEND (default) fails on a name clash,',
  '    REPLACE replaces clashing libraries, FLUSH deletes all libraries first.',
  'HELP',
  '    Print this help.',
];

export const functionCommands: CommandImpls = {
  fcall: (c, argv) => fcall(c, argv, false),
  fcall_ro: (c, argv) => fcall(c, argv, true),
  'function|load'(c, argv) {
    let replace = false;
    let i = 2;
    for (; i < argv.length - 1; i++) {
      if (argv[i]!.toLowerCase() === 'replace') replace = true;
      else return c.reply.error(`ERR Unknown option given: ${argv[i]}`);
    }
    if (i !== argv.length - 1) return c.reply.error('ERR Function code is missing');
    const r = functionsOf(c.server).load(argv[i]!, replace);
    if ('error' in r) return c.reply.error('ERR ' + r.error);
    c.server.dirty++;
    c.reply.bulk(r.name);
  },
  'function|delete'(c, argv) {
    const store = functionsOf(c.server);
    const lib = store.libraries.get(argv[2]!);
    if (lib === undefined) return c.reply.error('ERR Library not found');
    store.unlink(lib);
    c.server.dirty++;
    c.reply.ok();
  },
  'function|flush'(c, argv) {
    if (!flushMode(c, argv)) return;
    functionsOf(c.server).flush();
    c.server.dirty++;
    c.reply.ok();
  },
  'function|kill'(c) {
    const refused = killBusy(c.server, false);
    if (refused !== null) return c.reply.error(refused);
    c.reply.ok();
  },
  'function|list'(c, argv) {
    let withCode = false;
    let pattern: string | null = null;
    for (let i = 2; i < argv.length; i++) {
      const a = argv[i]!.toLowerCase();
      if (!withCode && a === 'withcode') withCode = true;
      else if (pattern === null && a === 'libraryname') {
        if (i >= argv.length - 1) return c.reply.error('ERR library name argument was not given');
        pattern = argv[++i]!;
      } else return c.reply.error(`ERR Unknown argument ${argv[i]}`);
    }
    const libs = [...functionsOf(c.server).libraries.values()].filter(
      (l) => pattern === null || globMatch(pattern, l.name, true),
    );
    const r = c.reply;
    r.arrayLen(libs.length);
    for (const lib of libs) {
      r.mapLen(withCode ? 4 : 3);
      r.bulk('library_name');
      r.bulk(lib.name);
      r.bulk('engine');
      r.bulk(lib.engine);
      r.bulk('functions');
      r.arrayLen(lib.functions.size);
      for (const f of lib.functions.values()) {
        r.mapLen(3);
        r.bulk('name');
        r.bulk(f.name);
        r.bulk('description');
        r.bulkOrNull(f.description);
        r.bulk('flags');
        const names = SCRIPT_FLAG_NAMES.filter(([, bit]) => (f.flags & bit) !== 0).map(([n]) => n);
        r.setLen(names.length);
        for (const n of names) r.simple(n);
      }
      if (withCode) {
        r.bulk('library_code');
        r.bulk(lib.code);
      }
    }
  },
  'function|stats'(c) {
    const store = functionsOf(c.server);
    const r = c.reply;
    r.mapLen(2);
    r.bulk('running_script');
    const busy = busyScript(c.server);
    if (busy === null || busy.isEval) r.nullBulk();
    else {
      r.mapLen(3);
      r.bulk('name');
      r.bulk(busy.run.funcname);
      r.bulk('command');
      r.arrayLen(busy.argv.length);
      for (const a of busy.argv) r.bulk(a);
      r.bulk('duration_ms');
      r.int(Date.now() - busy.started);
    }
    r.bulk('engines');
    r.mapLen(1);
    r.bulk('LUA');
    r.mapLen(2);
    r.bulk('libraries_count');
    r.int(store.libraries.size);
    r.bulk('functions_count');
    r.int(store.functions.size);
  },
  'function|dump'(c) {
    const out = new RdbOut(c.server.config.bool('rdbcompression'));
    for (const lib of functionsOf(c.server).libraries.values()) {
      out.byte(OP.FUNCTION2);
      out.string(lib.code);
    }
    out.byte(RDB_VERSION & 0xff);
    out.byte(RDB_VERSION >> 8);
    out.bytes(crc64(out.view()));
    c.reply.bulk(out.view().toString('latin1'));
  },
  'function|restore'(c, argv) {
    if (argv.length > 4) {
      return c.reply.error("ERR unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION HELP.");
    }
    const policy = argv.length === 4 ? argv[3]!.toLowerCase() : 'append';
    if (policy !== 'append' && policy !== 'replace' && policy !== 'flush') {
      return c.reply.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    }
    const body = verifyPayload(Buffer.from(argv[2]!, 'latin1'), debugSettings.skipChecksumValidation);
    if (body === null) return c.reply.error('ERR DUMP payload version or checksum are wrong');
    const codes: string[] = [];
    const inp = new RdbIn(body);
    try {
      while (inp.remaining > 0) {
        if (inp.byte() !== OP.FUNCTION2) return c.reply.error('ERR given type is not a function');
        codes.push(inp.string());
      }
    } catch {
      return c.reply.error('ERR failed loading the given functions payload');
    }
    const store = functionsOf(c.server);
    const incoming = new Set<string>();
    for (const code of codes) {
      const m = /^#!\S*\s+name=(\S+)/i.exec(code);
      if (m !== null) incoming.add(m[1]!);
    }
    const kept: string[] = [];
    for (const lib of store.libraries.values()) {
      if (policy === 'flush') break;
      if (incoming.has(lib.name)) {
        if (policy === 'append') return c.reply.error(`ERR Library ${lib.name} already exists`);
        continue;
      }
      kept.push(lib.code);
    }
    const err = store.rebuild([...kept, ...codes]);
    if (err !== null) return c.reply.error('ERR ' + err);
    c.server.dirty++;
    c.reply.ok();
  },
  'function|help'(c) {
    c.reply.arrayLen(HELP.length);
    for (const line of HELP) c.reply.simple(line);
  },
};

addScriptRef(functionCommands['fcall'], 'function');
addScriptRef(functionCommands['fcall_ro'], 'function');
