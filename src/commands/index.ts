// Every command family's implementations, joined into one map for the registry.

import type { CommandImpls, GetKeys } from './types.js';
import { connectionCommands } from './connection.js';
import { serverCommands } from './server-cmds.js';
import { configCommands } from './config-cmd.js';
import { commandCommands } from './command-cmd.js';
import { keyspaceCommands } from './keyspace.js';
import { stringCommands } from './strings.js';
import { bitmapCommands } from './bitmaps.js';
import { functionCommands } from './functions.js';
import { NATIVE_GETKEYS } from './keys.js';

export const ALL_COMMANDS: CommandImpls = {
  ...connectionCommands,
  ...serverCommands,
  ...configCommands,
  ...commandCommands,
  ...keyspaceCommands,
  ...stringCommands,
  ...bitmapCommands,
  ...functionCommands,
};

/** Key extraction for commands whose key specs are incomplete (movablekeys). */
export const ALL_GETKEYS: Record<string, GetKeys> = { ...NATIVE_GETKEYS };
