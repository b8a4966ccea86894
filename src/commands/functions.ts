// FUNCTION: Redoubt has no scripting engine yet, so no function library can exist. FUNCTION
// FLUSH is still answered (emptying an empty library is exactly what it promises), because
// clients and Redis's own test harness call it to reset a server.

import type { CommandImpls } from './types.js';
import { E } from '../protocol/errors.js';

export const functionCommands: CommandImpls = {
  'function|flush'(c, argv) {
    if (argv.length > 3) return c.reply.error(E.syntax);
    if (argv.length === 3) {
      const mode = argv[2]!.toLowerCase();
      if (mode !== 'async' && mode !== 'sync') {
        return c.reply.error('FUNCTION FLUSH only supports SYNC|ASYNC option');
      }
    }
    c.reply.ok();
  },
};
