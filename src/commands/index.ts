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
import { hashCommands } from './hashes.js';
import { listCommands } from './lists.js';
import { setCommands } from './sets.js';
import { zsetCommands } from './zsets.js';
import { streamCommands } from './streams.js';
import { sortCommands } from './sort.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { geoCommands } from './geo.js';
import { pubsubCommands } from './pubsub.js';
import { multiCommands } from './multi.js';
import { introspectionCommands } from './introspection.js';
import { aclCommands } from './acl.js';
import { dumpCommands } from './dump.js';
import { replicationCommands } from './replication.js';
import { aofCommands } from './aof-cmd.js';
import { replicaofCommands } from './replicaof.js';
import { scriptingCommands } from './scripting.js';
import { moduleCommands } from './module-cmd.js';
import { lolwutCommands } from './lolwut.js';
import { NATIVE_GETKEYS } from './keys.js';

export const ALL_COMMANDS: CommandImpls = {
  ...connectionCommands,
  ...serverCommands,
  ...moduleCommands,
  ...lolwutCommands,
  ...configCommands,
  ...commandCommands,
  ...keyspaceCommands,
  ...stringCommands,
  ...bitmapCommands,
  ...functionCommands,
  ...hashCommands,
  ...listCommands,
  ...setCommands,
  ...zsetCommands,
  ...streamCommands,
  ...sortCommands,
  ...hyperloglogCommands,
  ...geoCommands,
  ...pubsubCommands,
  ...multiCommands,
  ...introspectionCommands,
  ...aclCommands,
  ...dumpCommands,
  ...replicationCommands,
  ...aofCommands,
  ...replicaofCommands,
  ...scriptingCommands,
};

/** Key extraction for commands whose key specs are incomplete (movablekeys). */
export const ALL_GETKEYS: Record<string, GetKeys> = { ...NATIVE_GETKEYS };
