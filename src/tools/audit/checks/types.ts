// What a check is: a pure function of the snapshot (and the audit's options) to findings.

import type { Finding } from '../findings.js';
import type { Snapshot } from '../snapshot.js';

export interface CheckOptions {
  /** Certificates expiring within this many days are reported. */
  readonly certDays: number;
  readonly now: Date;
}

export type Check = (s: Snapshot, o: CheckOptions) => Finding[];
