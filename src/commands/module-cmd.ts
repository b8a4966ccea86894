// MODULE LIST / HELP / LOAD / LOADEX / UNLOAD. Redoubt loads no modules: Redis modules are
// native shared libraries written against Redis's C API. LIST answers the empty list; LOAD and
// LOADEX (protected by enable-module-command, as in Redis) fail the way a library that does not
// load fails in Redis, with the reason in the log; UNLOAD finds no module of that name.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { eqi } from './args.js';

const HELP = [
  'MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LIST',
  '    Return a list of loaded modules.',
  'LOAD <path> [<arg> ...]',
  '    Load a module library from <path>, passing to it any optional arguments.',
  'LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]',
  '    Load a module library from <path>, while passing it module configurations and optional arguments.',
  'UNLOAD <name>',
  '    Unload a module.',
  'HELP',
  '    Prints this help.',
];

const LOAD_FAILED = 'ERR Error loading the extension. Please check the server logs.';

/** The log line of a load that fails. The module's arguments are never logged (they may be secrets). */
function refuseLoad(c: Client, path: string): void {
  c.server.log.warning(`Module ${path} failed to load: Redoubt cannot load Redis modules (native libraries)`);
  c.reply.error(LOAD_FAILED);
}

/** What is wrong with LOADEX's [CONFIG name value ...] [ARGS ...] arguments (a log line), or null. */
function loadexSyntaxError(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    if (eqi(args[i]!, 'config')) {
      if (i + 2 >= args.length) return 'CONFIG specified without name value pair';
      i += 2;
    } else if (eqi(args[i]!, 'args')) {
      return null;
    } else {
      return `Syntax Error from arguments to loadex around ${args[i]!.slice(0, 128)}.`;
    }
  }
  return null;
}

export const moduleCommands: CommandImpls = {
  'module|help'(c) {
    c.reply.arrayLen(HELP.length);
    for (const line of HELP) c.reply.simple(line);
  },
  'module|list'(c) {
    c.reply.arrayLen(0);
  },
  'module|load'(c, argv) {
    refuseLoad(c, argv[2]!);
  },
  'module|loadex'(c, argv) {
    const bad = loadexSyntaxError(argv.slice(3));
    if (bad === null) return refuseLoad(c, argv[2]!);
    c.server.log.notice(bad);
    c.reply.error(LOAD_FAILED);
  },
  'module|unload'(c) {
    c.reply.error('ERR Error unloading module: no such module with that name');
  },
};
