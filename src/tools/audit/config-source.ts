// The config-file source: the file is read with the server's own loader (includes, quotes,
// multi-argument directives, rename-command and user lines behave exactly as at start-up),
// then the users are built as the server would (default user, requirepass, user directives or
// the ACL file) and the files it names are examined.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigStore, allConfigs, lookupConfig } from '../../config/store.js';
import { ConfigLoadError, loadConfigText } from '../../config/load.js';
import { splitArgs } from '../../protocol/splitargs.js';
import { collectFiles, readAclFile, resolvePath, statFile, userRules } from './local-files.js';
import { emptySnapshot, type Snapshot, type UserRules } from './snapshot.js';

export class SourceError extends Error {}

/** Directives start-up must tolerate here although the registry may not know them yet. */
function tolerated(name: string): boolean {
  return name.startsWith('audit-') && lookupConfig(name) === undefined;
}

/**
 * Top-level lines the loader would act on or refuse for reasons that are facts about the
 * auditing host, not the file (`logfile` is opened, a `dir` may not exist here): left out of
 * the loaded text, their value kept.
 */
interface Prepared {
  text: string;
  kept: Map<string, string>;
}

function prepare(text: string, drop: ReadonlySet<string>): Prepared {
  const kept = new Map<string, string>();
  const lines = text.split('\n').map((line) => {
    const argv = splitArgs(line.trim());
    if (argv === null || argv.length === 0) return line;
    const name = argv[0]!.toLowerCase();
    if (tolerated(name)) return '';
    if (drop.has(name) && argv.length === 2) {
      kept.set(name, argv[1]!);
      return '';
    }
    return line;
  });
  return { text: lines.join('\n'), kept };
}

function load(text: string): { store: ConfigStore; kept: Map<string, string> } {
  // The loader opens (creates) the log file; an audit must not touch the server's files.
  const drop = new Set<string>(['logfile']);
  for (;;) {
    const p = prepare(text, drop);
    const store = new ConfigStore({ chdirOnDir: false });
    try {
      loadConfigText(store, p.text);
      return { store, kept: p.kept };
    } catch (e) {
      if (!(e instanceof ConfigLoadError)) throw e;
      const msg = e.message;
      const retry = /^>>> 'dir /m.test(msg) ? 'dir' : null;
      if (retry === null || drop.has(retry)) throw new SourceError(oneLine(msg));
      drop.add(retry);
    }
  }
}

/** The loader's multi-line FATAL report as one line. */
function oneLine(msg: string): string {
  return msg
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('***'))
    .join(' ');
}

const DEFAULT_RULES = ['on', 'nopass', '~*', '&*', '+@all'];

function sha256(s: string): string {
  return createHash('sha256').update(Buffer.from(s, 'latin1')).digest('hex');
}

/** The users the server would start with, in the order Redis builds them. */
function buildUsers(store: ConfigStore, aclfile: string, snapshot: Snapshot): UserRules[] {
  const requirepass = store.str('requirepass');
  let def: UserRules =
    requirepass === ''
      ? userRules('default', DEFAULT_RULES, 'implicit')
      : {
          name: 'default',
          rules: ['on', `#${sha256(requirepass)}`, '~*', '&*', '+@all'],
          origin: 'implicit',
          plaintext: [],
        };
  const users: UserRules[] = [];
  for (const d of store.userDirectives) {
    const u = userRules(d[0]!, d.slice(1), 'config');
    if (u.name === 'default') def = { ...u, rules: [...def.rules, 'reset', ...u.rules] };
    else users.push(u);
  }
  if (aclfile !== '') {
    const fromFile = readAclFile(aclfile);
    if (fromFile === null) {
      snapshot.notes.push({
        id: 'SRC-ACLFILE-UNREADABLE',
        severity: 'info',
        title: 'ACL file could not be read',
        seen: `aclfile ${aclfile} cannot be read from here`,
        why: 'Users defined in the ACL file were not audited.',
        fix: 'Run the audit as a user allowed to read the ACL file, or audit the live server too.',
        ref: 'Account Management: review the external ACL file (002)',
      });
      return [def];
    }
    return [
      fromFile.find((u) => u.name === 'default') ?? userRules('default', DEFAULT_RULES, 'implicit'),
      ...fromFile.filter((u) => u.name !== 'default'),
    ];
  }
  return [def, ...users];
}

export function readConfigSource(file: string): Snapshot {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (e) {
    throw new SourceError(`cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const { store, kept } = load(text);
  const s = emptySnapshot();
  const config = new Map<string, string>();
  for (const e of allConfigs()) config.set(e.name, store.get(e));
  for (const [k, v] of kept) config.set(k, k === 'dir' ? path.resolve(v) : v);
  s.config = config;
  s.explicit = new Set([...store.explicit, ...kept.keys()]);
  s.renames = [...store.renames];
  s.configFile = path.resolve(file);
  s.files.set(s.configFile, statFile(s.configFile));
  const aclfile = config.get('aclfile') ?? '';
  s.users = buildUsers(store, aclfile === '' ? '' : resolvePath(aclfile, config.get('dir')), s);
  collectFiles(s, config);
  return s;
}
