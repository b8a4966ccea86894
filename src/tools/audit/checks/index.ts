// Every check, run over one snapshot; the sources' own notes come first.

import type { Finding } from '../findings.js';
import type { Snapshot } from '../snapshot.js';
import { aclChecks } from './acl.js';
import { commandChecks } from './commands.js';
import { fileChecks } from './files.js';
import { networkChecks } from './network.js';
import { replicationChecks } from './replication.js';
import { runtimeChecks } from './runtime.js';
import { tlsChecks } from './tls.js';
import type { Check, CheckOptions } from './types.js';

export const CHECKS: readonly Check[] = [
  networkChecks,
  aclChecks,
  tlsChecks,
  fileChecks,
  commandChecks,
  runtimeChecks,
  replicationChecks,
];

export function runChecks(s: Snapshot, o: CheckOptions): Finding[] {
  return [...s.notes, ...CHECKS.flatMap((c) => c(s, o))];
}

export type { CheckOptions };
