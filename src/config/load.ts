// Start-up configuration, exactly like redis-server 7.0.15:
//   redoubt-server [configfile|-] [--name value ...] [-]
// The config file (glob patterns allowed), then stdin, then the argv options (turned into
// config lines) are read as one text by the redis.conf grammar of loadServerConfigFromString:
// lines split like sdssplitargs, `#` comments, `include` (relative to the current directory,
// which `dir` lines change as they are read, glob patterns skip silently when nothing
// matches), multi-argument directives, `user`, `rename-command`, `sentinel`, `loadmodule`.
// A bad line stops start-up with Redis's "*** FATAL CONFIG FILE ERROR ***" report.

import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigStore, lookupConfig, type ConfigStoreOptions } from './store.js';
import { globMatch } from '../store/glob.js';
import { splitArgs } from '../protocol/splitargs.js';
import { REDIS_VERSION } from '../server/version.js';
import { COMMAND_TABLE } from '../commands/table.generated.js';
import { asciiLower, repr, strerror } from './values.js';

/**
 * A start-up configuration error. `message` is the full text to print; `logLine` is true for
 * errors Redis reports as a log line on standard output (unreadable config file, module
 * configs without a module) rather than the FATAL CONFIG FILE ERROR block on standard error.
 */
export class ConfigLoadError extends Error {
  constructor(
    message: string,
    readonly logLine = false,
  ) {
    super(message);
    this.name = 'ConfigLoadError';
  }
}

/**
 * Validates a `user` directive (the ACL layer installs one): returns null, or the index of
 * the offending argument (in argv, where argv[0] is "user") and the reason.
 */
export type UserDirectiveCheck = (
  argv: readonly string[],
  seen?: readonly (readonly string[])[],
) => { argIndex: number; message: string } | null;
let userCheck: UserDirectiveCheck | null = null;

export function setUserDirectiveCheck(check: UserDirectiveCheck | null): void {
  userCheck = check;
}

/** Directives Redis still accepts and ignores, with their allowed argc range. */
const DEPRECATED: Record<string, [number, number]> = {
  'list-max-ziplist-entries': [2, 2],
  'list-max-ziplist-value': [2, 2],
  'lua-replicate-commands': [2, 2],
};

function fatal(err: string, at?: { line: number; text: string }): ConfigLoadError {
  let msg = `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n`;
  if (at) msg += `Reading the configuration file, at line ${at.line}\n>>> '${at.text}'\n`;
  return new ConfigLoadError(msg + err);
}

/** A line in Redis's log format, as printed before the server runs (role "C"). */
function logLine(msg: string): string {
  const d = new Date();
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const ts = `${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
  return `${process.pid}:C ${ts} # ${msg}`;
}

/** State of one start-up load shared by nested includes. */
interface LoadState {
  store: ConfigStore;
  /** Redis's reading_config_file: cleared when an included file finishes (a Redis quirk). */
  reading: boolean;
  /** Command names as rename-command sees them (lower case). */
  commands: Set<string>;
  /** Module configs (`name.with.dot value`): there is no module to take them. */
  moduleConfigs: number;
}

function newState(store: ConfigStore): LoadState {
  return { store, reading: true, commands: new Set(COMMAND_TABLE.map((c) => c.name.toLowerCase())), moduleConfigs: 0 };
}

/** Reads a config file like Redis's loadServerConfig: a glob pattern reads every match. */
function readConfigFile(file: string): string {
  const open = (f: string): string => {
    try {
      return readFileSync(f, 'latin1');
    } catch (e) {
      // fopen() of a directory succeeds and reads nothing.
      if ((e as NodeJS.ErrnoException).code === 'EISDIR') return '';
      throw new ConfigLoadError(logLine(`Fatal error, can't open config file '${f}': ${strerror(e)}`), true);
    }
  };
  if (!/[*?[]/.test(file)) return open(file);
  return expandGlob(file).map(open).join('');
}

/** glob(3) for a pattern whose wildcards may be in any path component; sorted, no dotfiles. */
export function expandGlob(pattern: string): string[] {
  const abs = pattern.startsWith('/');
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let bases = [abs ? '/' : ''];
  for (let i = abs ? 1 : 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      if (!/[*?[]/.test(part)) {
        const p = base + part;
        if (existsSync(p === '' ? '.' : p)) next.push(last ? p : p + '/');
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base === '' ? '.' : base).sort();
      } catch {
        continue;
      }
      for (const n of names) {
        if (n.startsWith('.') && !part.startsWith('.')) continue;
        if (!globMatch(part, n, false)) continue;
        const p = base + n;
        if (last) next.push(p);
        else if (isDir(p)) next.push(p + '/');
      }
    }
    bases = next;
  }
  return bases;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function trimConfigLine(s: string): string {
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** One directive that is not a config: include, rename-command, user, loadmodule, sentinel. */
function directive(st: LoadState, argv: string[], name: string): string | null {
  const argc = argv.length;
  if (name === 'include' && argc === 2) {
    loadText(st, readConfigFile(argv[1]!));
    return null;
  }
  if (name === 'rename-command' && argc === 3) return renameCommand(st, argv[1]!, argv[2]!);
  if (name === 'user' && argc >= 2) {
    const bad = userCheck?.(argv, st.store.userDirectives) ?? null;
    if (bad !== null) return `Error in user declaration '${argv[bad.argIndex]}': ${bad.message}`;
    st.store.userDirectives.push(argv.slice(1));
    return null;
  }
  if (name === 'loadmodule' && argc >= 2) return 'Redoubt does not support modules: loadmodule cannot be used';
  if (name.includes('.')) {
    if (argc < 2) return 'Module config specified without value';
    st.moduleConfigs++;
    return null;
  }
  if (name === 'sentinel') return argc === 1 ? null : 'sentinel directive while not in sentinel mode';
  return 'Bad directive or wrong number of arguments';
}

function renameCommand(st: LoadState, from: string, to: string): string | null {
  const f = from.toLowerCase();
  if (!st.commands.has(f)) return 'No such command in rename-command';
  st.commands.delete(f);
  if (to !== '') {
    const t = to.toLowerCase();
    if (st.commands.has(t)) return 'Target command name already exists';
    st.commands.add(t);
  }
  st.store.renames.push([from, to]);
  return null;
}

/** One config line (already split). Returns null or the error text. */
function configLine(st: LoadState, argv: string[]): string | null {
  const name = asciiLower(argv[0]!);
  const e = lookupConfig(name);
  if (e) {
    // "port 0  # no plaintext": a trailing comment, which Redis refuses, is dropped. Only
    // lines Redis would reject change meaning (a one-value directive with extra words).
    if (!e.multiArg && argv.length > 2 && argv[2]!.startsWith('#')) argv = argv.slice(0, 2);
    if (!e.multiArg && argv.length !== 2) return 'wrong number of arguments';
    return st.store.setInitial(name, argv.slice(1), st.reading);
  }
  const dep = DEPRECATED[name];
  if (dep && argv.length >= dep[0] && argv.length <= dep[1]) return null;
  return directive(st, argv, name);
}

/** loadServerConfigFromString: every line of one text; throws ConfigLoadError. */
function loadText(st: LoadState, text: string): void {
  st.reading = true;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = trimConfigLine(lines[i]!);
    if (line === '' || line.startsWith('#')) continue;
    const argv = splitArgs(line);
    const at = { line: i + 1, text: line };
    if (argv === null) throw fatal('Unbalanced quotes in configuration line', at);
    if (argv.length === 0) continue;
    const err = configLine(st, argv);
    if (err !== null) throw fatal(err, at);
  }
  checkLogfile(st.store);
  st.reading = false;
}

/** Redis makes sure the log file can be opened (and creates it) before going on. */
function checkLogfile(store: ConfigStore): void {
  const logfile = store.str('logfile');
  if (logfile === '') return;
  try {
    // Created 0640 like every log Redoubt writes (Redis's fopen would leave it 0644).
    closeSync(openSync(logfile, 'a', 0o640));
  } catch (e) {
    throw fatal(`Can't open the log file: ${strerror(e)}`);
  }
}

/**
 * Reads redis.conf text into a store, with Redis's rules and errors (includes are read
 * relative to the current directory). Throws ConfigLoadError.
 */
export function loadConfigText(store: ConfigStore, text: string): void {
  const st = newState(store);
  loadText(st, text);
  finish(st);
}

function finish(st: LoadState): void {
  if (st.moduleConfigs > 0) {
    throw new ConfigLoadError(
      logLine('Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting'),
      true,
    );
  }
}

/** The argv options turned into config text, exactly as redis-server's main() does. */
export function optionsText(argv: readonly string[], start: number): { options: string; stdin: boolean } {
  let options = '';
  let stdin = false;
  let handledLast = true;
  const n = argv.length;
  for (let j = start; j < n; j++) {
    const a = argv[j]!;
    if (a === '-' && (j === 0 || j === n - 1)) {
      stdin = true;
    } else if (handledLast && a.startsWith('--')) {
      if (options.length > 0) options += '\n';
      options += a.slice(2) + ' ';
      const parts = splitArgs(a);
      if (parts !== null && parts.length === 1) {
        // Only a name: the value follows in the next argument(s).
        handledLast = false;
        const nextIsOption = j !== n - 1 && argv[j + 1]!.startsWith('--');
        const isSave = a.toLowerCase() === '--save';
        if (isSave && (nextIsOption || j === n - 1)) {
          // `--save` without a value means `save ""` (pre-7.0.1 behaviour kept by Redis).
          options += '""';
          handledLast = nextIsOption;
        } else if (a.toLowerCase() === '--sentinel' && nextIsOption) {
          handledLast = true;
        }
      } else {
        handledLast = true;
      }
    } else {
      options += repr(a) + ' ';
      handledLast = true;
    }
  }
  return { options, stdin };
}

export interface LoadedConfig {
  store: ConfigStore;
  /** Absolute path of the config file (CONFIG REWRITE target), or null. */
  configFile: string | null;
}

/**
 * Builds the start-up configuration from redis-server style argv (without the program name).
 * Throws ConfigLoadError.
 */
export function loadServerConfig(argv: readonly string[], opts: ConfigStoreOptions = {}): LoadedConfig {
  const store = new ConfigStore(opts);
  let configFile: string | null = null;
  let start = 0;
  if (argv.length > 0 && !argv[0]!.startsWith('-')) {
    // Resolved before any `dir` line changes the working directory.
    configFile = path.resolve(argv[0]!);
    start = 1;
  }
  const { options, stdin } = optionsText(argv, start);
  let text = configFile === null ? '' : readConfigFile(configFile);
  if (stdin) {
    process.stdout.write(logLine('Reading config from stdin') + '\n');
    text += readFileSync(0, 'latin1');
  }
  if (argv.length > 0) text += '\n' + options;
  const st = newState(store);
  loadText(st, text);
  finish(st);
  return { store, configFile };
}
