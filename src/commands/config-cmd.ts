// CONFIG GET / SET / RESETSTAT / REWRITE / HELP, with Redis 7.0.15's replies and errors.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { CLIENT } from '../server/client.js';
import { E } from '../protocol/errors.js';
import type { ConfigEntry } from '../config/types.js';
import { allConfigNames, lookupConfigName } from '../config/store.js';
import { rewriteConfig } from '../config/rewrite.js';
import { strerror } from '../config/values.js';
import { globMatch } from '../store/glob.js';

const HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

const GLOB_CHARS = /[[*?]/;

/** Redis's islocalClient: a unix socket, or a peer address of exactly 127.0.0.1 or ::1. */
function isLocalClient(c: Client): boolean {
  if (c.has(CLIENT.unixSocket)) return true;
  const colon = c.addr.lastIndexOf(':');
  let host = colon < 0 ? c.addr : c.addr.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host === '127.0.0.1' || host === '::1' || host === '::ffff:127.0.0.1';
}

/** enable-protected-configs: "yes", or "local" for a local client. */
function protectedAllowed(c: Client): boolean {
  const v = c.server.config.str('enable-protected-configs');
  return v === 'yes' || (v === 'local' && isLocalClient(c));
}

function configGet(c: Client, argv: string[]): void {
  // Keyed by lower-case name: a config matched twice (or by name and pattern) shows once,
  // under the name it was first matched with (an exact name keeps the caller's spelling).
  const matches = new Map<string, [string, ConfigEntry]>();
  for (let i = 2; i < argv.length; i++) {
    const pat = argv[i]!;
    if (!GLOB_CHARS.test(pat)) {
      const key = pat.toLowerCase();
      if (matches.has(key)) continue;
      const found = lookupConfigName(pat);
      if (found) matches.set(key, [pat, found.entry]);
      continue;
    }
    for (const [name, e] of allConfigNames()) {
      // Hidden configs show only when named exactly.
      if (e.hidden || matches.has(name)) continue;
      if (globMatch(pat, name, true)) matches.set(name, [name, e]);
    }
  }
  const config = c.server.config;
  c.reply.mapLen(matches.size);
  for (const [name, e] of matches.values()) {
    c.reply.bulk(name);
    c.reply.bulk(config.get(e));
  }
}

/** CONFIG SET's argument checks, in Redis's order; the first problem found is reported. */
function configSet(c: Client, argv: string[]): void {
  if ((argv.length & 1) === 1) return c.reply.error(E.syntax);
  const pairs: [ConfigEntry, string, string][] = [];
  let unknown: string | null = null;
  let failure: string | null = null;
  for (let i = 2; i < argv.length && unknown === null && failure === null; i += 2) {
    const name = argv[i]!;
    const found = lookupConfigName(name);
    if (!found) {
      unknown = name;
      break;
    }
    const e = found.entry;
    if (e.immutable || (e.protected && !protectedAllowed(c))) {
      failure = `CONFIG SET failed (possibly related to argument '${name}') - ${e.immutable ? "can't set immutable config" : "can't set protected config"}`;
    } else if (pairs.some((p) => p[2] === found.name)) {
      // Like Redis, a config and its alias are not duplicates of each other.
      failure = `CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`;
    }
    pairs.push([e, argv[i + 1]!, found.name]);
  }
  if (unknown !== null) return c.reply.error(`ERR Unknown option or number of arguments for CONFIG SET - '${unknown}'`);
  if (failure !== null) return c.reply.error(`ERR ${failure}`);
  const err = c.server.config.setMany(pairs);
  if (err !== null) return c.reply.error(`ERR ${err}`);
  c.reply.ok();
}

function configResetStat(c: Client): void {
  c.server.stats.reset();
  for (const cmd of c.server.commands.byId) {
    const s = cmd.stats;
    s.calls = 0;
    s.usec = 0;
    s.rejectedCalls = 0;
    s.failedCalls = 0;
  }
  for (const h of c.server.hooks.statsReset) h();
  c.reply.ok();
}

function configRewrite(c: Client): void {
  const file = c.server.configFile;
  if (file === null) return c.reply.error('ERR The server is running without a config file');
  try {
    rewriteConfig(c.server.config, file);
  } catch (e) {
    const why = strerror(e);
    c.server.log.warning(`CONFIG REWRITE failed: ${why}`);
    return c.reply.error(`ERR Rewriting config file: ${why}`);
  }
  c.server.log.warning('CONFIG REWRITE executed with success.');
  c.reply.ok();
}

export const configCommands: CommandImpls = {
  'config|get': configGet,
  'config|set': configSet,
  'config|resetstat': configResetStat,
  'config|rewrite': configRewrite,
  'config|help'(c) {
    c.reply.arrayLen(HELP.length);
    for (const line of HELP) c.reply.simple(line);
  },
};
