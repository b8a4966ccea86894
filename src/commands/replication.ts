// Commands of the primary side of replication.

import type { CommandImpls } from './types.js';
import { primaryOf } from '../replication/primary.js';

export const replicationCommands: CommandImpls = {
  sync(c) {
    if (c.ext.replica === true) return;
    primaryOf(c.server).attach(c);
  },
};
