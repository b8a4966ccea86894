// Sorted set commands, joined from the files that own them: zset-basic.ts (members, counts,
// ZSCAN, ZRANDMEMBER), zset-range.ts (ZRANGE family), zset-setops.ts (ZUNION/ZINTER/ZDIFF),
// zset-pop.ts (ZPOP*, ZMPOP) and zset-block.ts (BZPOP*, BZMPOP). The value is store/zset.ts.

import type { CommandImpls } from './types.js';
import { zsetBasicCommands } from './zset-basic.js';
import { zsetRangeCommands } from './zset-range.js';
import { zsetSetopCommands } from './zset-setops.js';
import { zsetPopCommands } from './zset-pop.js';
import { zsetBlockCommands } from './zset-block.js';

export const zsetCommands: CommandImpls = {
  ...zsetBasicCommands,
  ...zsetRangeCommands,
  ...zsetSetopCommands,
  ...zsetPopCommands,
  ...zsetBlockCommands,
};
