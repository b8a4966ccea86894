// BGREWRITEAOF and DEBUG LOADAOF over the append-only file layer (persist/aof.ts).

import type { CommandImpls } from './types.js';
import { debugSubcommands } from './debug.js';
import { bgrewriteaof, debugLoadAof } from '../persist/aof.js';

debugSubcommands['loadaof'] = {
  argc: (n) => n >= 2,
  run: (c) => {
    const err = debugLoadAof(c.server);
    if (err !== null) return c.reply.error(`ERR ${err}`);
    c.reply.ok();
  },
};

export const aofCommands: CommandImpls = {
  bgrewriteaof(c) {
    const r = bgrewriteaof(c.server);
    if (r === 'started') return c.reply.simple('Background append only file rewriting started');
    if (r === 'scheduled') return c.reply.simple('Background append only file rewriting scheduled');
    c.reply.error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
  },
};
