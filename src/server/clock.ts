// One clock read per command. Every command needs a precise start time (its duration goes to
// INFO commandstats, SLOWLOG and the latency monitor) and a wall-clock "now" (expiry). Reading
// both clocks costs two system calls where the clock source is slow (virtual machines without a
// fast vDSO clock take ~50 ns per read), so the wall time is derived from the monotonic reading:
// wall = offset + monotonic, with the offset re-checked on the cron tick and moved only when
// the system clock really jumped (small re-readings would make time step back by a millisecond).

import { performance } from 'node:perf_hooks';

/** Wall-clock ms minus performance.now(); starts from the high-resolution time origin. */
let offset = performance.timeOrigin;

/** The monotonic high-resolution time in ms (the command timer). */
export function monoNow(): number {
  return performance.now();
}

/** Wall-clock ms (as Date.now()) for a monoNow() reading. */
export function wallAt(mono: number): number {
  return Math.floor(offset + mono);
}

/** Follows a change of the system clock (NTP step, manual set); call now and then. */
export function recalibrateClock(): void {
  const measured = Date.now() - performance.now();
  if (Math.abs(measured - offset) > 2) offset = measured;
}
