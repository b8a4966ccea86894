// MULTI / EXEC / DISCARD / WATCH / UNWATCH. The queueing itself happens in the gate (the
// transaction layer in server/multi.ts); these handlers open, run and close transactions.

import type { CommandImpls } from './types.js';
import { CLIENT } from '../server/client.js';
import { discardTransaction, execTransaction, transactions } from '../server/multi.js';

export const multiCommands: CommandImpls = {
  multi(c) {
    if (c.has(CLIENT.multi)) return c.reply.error('ERR MULTI calls can not be nested');
    c.flags |= CLIENT.multi;
    c.reply.ok();
  },
  exec(c) {
    execTransaction(c);
  },
  discard(c) {
    if (!c.has(CLIENT.multi)) return c.reply.error('ERR DISCARD without MULTI');
    discardTransaction(c);
    c.reply.ok();
  },
  watch(c, argv) {
    if (c.has(CLIENT.multi)) return c.reply.error('ERR WATCH inside MULTI is not allowed');
    // Already dirty: no point in watching more.
    if (!c.has(CLIENT.dirtyCas)) {
      const reg = transactions(c.server);
      for (let j = 1; j < argv.length; j++) reg.watch(c, argv[j]!);
    }
    c.reply.ok();
  },
  unwatch(c) {
    transactions(c.server).unwatchAll(c);
    c.flags &= ~CLIENT.dirtyCas;
    c.reply.ok();
  },
};
