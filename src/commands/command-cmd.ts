// COMMAND, COMMAND COUNT / INFO / DOCS / LIST / GETKEYS / GETKEYSANDFLAGS / HELP: the command
// table as Redis 7.0.15 describes it, limited to the commands Redoubt implements (the
// registry holds only those). Docs carry no prose (no summary, complexity or history).

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import type { Command, CommandRegistry } from './registry.js';
import type { ArgSpec, KeySpec } from './spec.js';
import { CMD } from './flags.js';
import { ACL_CATEGORIES, allCategories } from './categories.js';
import { E } from '../protocol/errors.js';
import { KEY } from './flags.js';
import { NATIVE_KEYS, getKeysFromSpecs } from './keys.js';
import { globMatch } from '../store/glob.js';

/** Key flag names in the order COMMAND GETKEYSANDFLAGS prints them. */
const KEY_FLAG_NAMES: readonly [number, string][] = [
  [KEY.RO, 'RO'],
  [KEY.RW, 'RW'],
  [KEY.OW, 'OW'],
  [KEY.RM, 'RM'],
  [KEY.ACCESS, 'access'],
  [KEY.UPDATE, 'update'],
  [KEY.INSERT, 'insert'],
  [KEY.DELETE, 'delete'],
  [KEY.NOT_KEY, 'not_key'],
  [KEY.INCOMPLETE, 'incomplete'],
  [KEY.VARIABLE_FLAGS, 'variable_flags'],
];

function statusSet(c: Client, items: readonly string[]): void {
  c.reply.setLen(items.length);
  for (const s of items) c.reply.simple(s);
}

function keySpecReply(c: Client, ks: KeySpec): void {
  const r = c.reply;
  r.mapLen(3);
  r.bulk('flags');
  statusSet(c, ks.flags);
  r.bulk('begin_search');
  r.mapLen(2);
  r.bulk('type');
  r.bulk(ks.bs.type);
  r.bulk('spec');
  if (ks.bs.type === 'index') {
    r.mapLen(1);
    r.bulk('index');
    r.int(ks.bs.index);
  } else if (ks.bs.type === 'keyword') {
    r.mapLen(2);
    r.bulk('keyword');
    r.bulk(ks.bs.keyword);
    r.bulk('startfrom');
    r.int(ks.bs.startfrom);
  } else {
    r.mapLen(0);
  }
  r.bulk('find_keys');
  r.mapLen(2);
  r.bulk('type');
  r.bulk(ks.fs.type);
  r.bulk('spec');
  if (ks.fs.type === 'range') {
    r.mapLen(3);
    r.bulk('lastkey');
    r.int(ks.fs.lastkey);
    r.bulk('keystep');
    r.int(ks.fs.keystep);
    r.bulk('limit');
    r.int(ks.fs.limit);
  } else if (ks.fs.type === 'keynum') {
    r.mapLen(3);
    r.bulk('keynumidx');
    r.int(ks.fs.keynumidx);
    r.bulk('firstkey');
    r.int(ks.fs.firstkey);
    r.bulk('keystep');
    r.int(ks.fs.keystep);
  } else {
    r.mapLen(0);
  }
}

/** The 10-element description of COMMAND / COMMAND INFO; null for an unknown name. */
function infoReply(c: Client, cmd: Command | null): void {
  const r = c.reply;
  if (cmd === null) return r.nullBulk();
  const s = cmd.spec;
  r.arrayLen(10);
  r.bulk(cmd.fullname);
  r.int(s.arity);
  statusSet(c, s.flags);
  r.int(s.firstKey);
  r.int(s.lastKey);
  r.int(s.step);
  statusSet(
    c,
    allCategories(s).map((x) => '@' + x),
  );
  r.setLen(s.tips.length);
  for (const t of s.tips) r.bulk(t);
  r.setLen(s.keySpecs.length);
  for (const ks of s.keySpecs) keySpecReply(c, ks);
  // Redis answers an empty set (RESP3 `~0`) for a command without subcommands, an array otherwise.
  if (cmd.subcommands === null) return r.setLen(0);
  r.arrayLen(cmd.subcommands.size);
  for (const sub of cmd.subcommands.values()) infoReply(c, sub);
}

function argsReply(c: Client, args: readonly ArgSpec[]): void {
  const r = c.reply;
  r.arrayLen(args.length);
  for (const a of args) {
    const nested = a.type === 'oneof' || a.type === 'block';
    let n = 2;
    if (a.key_spec_index !== undefined) n++;
    if (a.token !== undefined) n++;
    if (a.since !== undefined) n++;
    if (a.deprecated_since !== undefined) n++;
    if (a.flags !== undefined && a.flags.length > 0) n++;
    if (nested) n++;
    r.mapLen(n);
    r.bulk('name');
    r.bulk(a.name);
    r.bulk('type');
    r.bulk(a.type);
    if (a.key_spec_index !== undefined) {
      r.bulk('key_spec_index');
      r.int(a.key_spec_index);
    }
    if (a.token !== undefined) {
      r.bulk('token');
      r.bulk(a.token);
    }
    if (a.since !== undefined) {
      r.bulk('since');
      r.bulk(a.since);
    }
    if (a.deprecated_since !== undefined) {
      r.bulk('deprecated_since');
      r.bulk(a.deprecated_since);
    }
    if (a.flags !== undefined && a.flags.length > 0) {
      r.bulk('flags');
      statusSet(c, a.flags);
    }
    if (nested) {
      r.bulk('arguments');
      argsReply(c, a.arguments ?? []);
    }
  }
}

/** COMMAND DOCS for one command: the documented facts, in Redis's field order. */
function docsReply(c: Client, cmd: Command): void {
  const r = c.reply;
  const d = cmd.spec.docs;
  const subs = cmd.subcommands === null ? null : [...cmd.subcommands.values()];
  let n = 1;
  if (d.since) n++;
  if (d.doc_flags !== undefined && d.doc_flags.length > 0) n++;
  if (d.deprecated_since !== undefined) n++;
  if (d.replaced_by !== undefined) n++;
  if (d.arguments !== undefined) n++;
  if (subs !== null) n++;
  r.mapLen(n);
  if (d.since) {
    r.bulk('since');
    r.bulk(d.since);
  }
  r.bulk('group');
  r.bulk(d.group);
  if (d.doc_flags !== undefined && d.doc_flags.length > 0) {
    r.bulk('doc_flags');
    statusSet(c, d.doc_flags);
  }
  if (d.deprecated_since !== undefined) {
    r.bulk('deprecated_since');
    r.bulk(d.deprecated_since);
  }
  if (d.replaced_by !== undefined) {
    r.bulk('replaced_by');
    r.bulk(d.replaced_by);
  }
  if (d.arguments !== undefined) {
    r.bulk('arguments');
    argsReply(c, d.arguments);
  }
  if (subs !== null) {
    r.bulk('subcommands');
    r.mapLen(subs.length);
    for (const sub of subs) {
      r.bulk(sub.fullname);
      docsReply(c, sub);
    }
  }
}

/** lookupCommandBySds: "get" or "config|get", by the names clients use; null when unknown. */
export function lookupByFullname(reg: CommandRegistry, name: string): Command | null {
  const parts = name.toLowerCase().split('|');
  if (parts.length > 2) return null;
  const base = reg.byName.get(parts[0]!);
  if (base === undefined) return null;
  if (parts.length === 1) return base;
  return base.subcommands?.get(parts[1]!) ?? null;
}

/** Every command then its subcommands, as COMMAND LIST walks them. */
function* allCommands(reg: CommandRegistry): Generator<Command> {
  for (const cmd of reg.byName.values()) {
    yield cmd;
    if (cmd.subcommands !== null) yield* cmd.subcommands.values();
  }
}

function list(c: Client, argv: string[]): void {
  let filter: ((cmd: Command) => boolean) | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (argv[i]!.toLowerCase() !== 'filterby' || argv.length - 1 - i !== 2) return c.reply.error(E.syntax);
    const kind = argv[i + 1]!.toLowerCase();
    const arg = argv[i + 2]!;
    if (kind === 'module') {
      // No modules can be loaded: nothing belongs to one.
      filter = () => false;
    } else if (kind === 'aclcat') {
      const idx = ACL_CATEGORIES.indexOf(arg.toLowerCase());
      filter = (cmd) => idx >= 0 && cmd.inCategory(idx);
    } else if (kind === 'pattern') {
      filter = (cmd) => globMatch(arg, cmd.fullname, true);
    } else {
      return c.reply.error(E.syntax);
    }
    i += 2;
  }
  const names: string[] = [];
  for (const cmd of allCommands(c.server.commands)) if (filter === null || filter(cmd)) names.push(cmd.fullname);
  c.reply.bulkArray(names);
}

/** doesCommandHaveKeys: a key extractor, or some key spec that is a real key. */
function hasKeys(cmd: Command): boolean {
  if (NATIVE_KEYS[cmd.fullname] !== undefined || cmd.getKeys !== null) return true;
  return cmd.spec.keySpecs.some((ks) => !ks.flags.some((f) => f.toUpperCase() === 'NOT_KEY'));
}

function getKeys(c: Client, argv: string[], withFlags: boolean): void {
  const args = argv.slice(2);
  const cmd = c.server.commands.lookup(args);
  if (cmd === undefined) return c.reply.error('Invalid command specified');
  if (!hasKeys(cmd)) return c.reply.error('The command has no key arguments');
  if (!cmd.arityOk(args.length)) return c.reply.error('Invalid number of arguments specified for command');
  const keys = getKeysFromSpecs(cmd, args);
  if (keys.length === 0 && !cmd.has(CMD.no_mandatory_keys)) {
    return c.reply.error('Invalid arguments specified for command');
  }
  const r = c.reply;
  r.arrayLen(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      r.bulk(args[k.index]!);
      continue;
    }
    r.arrayLen(2);
    r.bulk(args[k.index]!);
    statusSet(
      c,
      KEY_FLAG_NAMES.filter(([bit]) => (k.flags & bit) !== 0).map(([, name]) => name),
    );
  }
}

const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Describe every command.',
  'COUNT',
  '    How many commands there are.',
  'LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]',
  '    The names of the commands, optionally filtered.',
  'INFO [<command-name> ...]',
  '    Describe the given commands, or all of them.',
  'DOCS [<command-name> ...]',
  '    Documentation of the given commands, or of all of them.',
  'GETKEYS <full-command>',
  '    The key arguments of a full command line.',
  'GETKEYSANDFLAGS <full-command>',
  '    The key arguments of a full command line, with their access flags.',
  'HELP',
  '    Print this help.',
];

export const commandCommands: CommandImpls = {
  command(c) {
    const cmds = [...c.server.commands.byName.values()];
    c.reply.arrayLen(cmds.length);
    for (const cmd of cmds) infoReply(c, cmd);
  },
  'command|count'(c) {
    c.reply.int(c.server.commands.byName.size);
  },
  'command|info'(c, argv) {
    if (argv.length === 2) return commandCommands['command']!(c, argv);
    c.reply.arrayLen(argv.length - 2);
    for (let i = 2; i < argv.length; i++) infoReply(c, lookupByFullname(c.server.commands, argv[i]!));
  },
  'command|docs'(c, argv) {
    const cmds: Command[] = [];
    if (argv.length === 2) cmds.push(...c.server.commands.byName.values());
    for (let i = 2; i < argv.length; i++) {
      const cmd = lookupByFullname(c.server.commands, argv[i]!);
      if (cmd !== null) cmds.push(cmd);
    }
    c.reply.mapLen(cmds.length);
    for (const cmd of cmds) {
      c.reply.bulk(cmd.fullname);
      docsReply(c, cmd);
    }
  },
  'command|list': list,
  'command|getkeys'(c, argv) {
    getKeys(c, argv, false);
  },
  'command|getkeysandflags'(c, argv) {
    getKeys(c, argv, true);
  },
  'command|help'(c) {
    c.reply.arrayLen(HELP.length);
    for (const line of HELP) c.reply.simple(line);
  },
};
