// The latency monitor (events slower than latency-monitor-threshold, one sample per second per
// event, the last 160 kept) and the per-command latency histograms LATENCY HISTOGRAM reports
// (recorded while latency-tracking is on).

import type { Server } from './server.js';
import type { Command } from '../commands/registry.js';

/** Samples kept per event (Redis LATENCY_TS_LEN). */
export const SERIES_LEN = 160;

export interface LatencySample {
  /** Unix time in seconds. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

export class LatencySeries {
  /** Ring of samples; a time of 0 marks an unused slot. */
  readonly samples: LatencySample[] = Array.from({ length: SERIES_LEN }, () => ({ time: 0, latency: 0 }));
  idx = 0;
  max = 0;

  add(now: number, ms: number): void {
    if (ms > this.max) this.max = ms;
    // Within the same second only the worst sample is kept.
    const prev = this.samples[(this.idx + SERIES_LEN - 1) % SERIES_LEN]!;
    if (prev.time === now) {
      if (ms > prev.latency) prev.latency = ms;
      return;
    }
    const s = this.samples[this.idx]!;
    s.time = now;
    s.latency = ms;
    this.idx = (this.idx + 1) % SERIES_LEN;
  }

  /** Used samples, oldest first. */
  history(): LatencySample[] {
    const out: LatencySample[] = [];
    for (let j = 0; j < SERIES_LEN; j++) {
      const s = this.samples[(this.idx + j) % SERIES_LEN]!;
      if (s.time !== 0) out.push(s);
    }
    return out;
  }

  latest(): LatencySample {
    return this.samples[(this.idx + SERIES_LEN - 1) % SERIES_LEN]!;
  }
}

// ---- Command histograms -------------------------------------------------------------------
// Redis keeps an HDR histogram per command (1ns..1s, 2 significant digits) of durations in
// whole microseconds times 1000, and reports it at power-of-two boundaries from 1024ns
// (LATENCY HISTOGRAM) and as percentiles (INFO latencystats). Durations are whole
// microseconds here too, so counting each distinct microsecond value is exact; the HDR
// rounding is applied when reporting.

const MAX_NS = 1_000_000_000;
const LEVELS = 21;
const SMALL = 1024;

/** HDR's highest value equivalent to ns: with 2 significant digits, the resolution is 2^(msb-7). */
export function hdrHighestEquivalent(ns: number): number {
  if (ns < 256) return ns;
  const res = 2 ** (31 - Math.clz32(ns) - 7);
  return Math.floor(ns / res) * res + res - 1;
}

/** Upper ends of the reporting levels 1024·2^k ns, and their labels in microseconds. */
const LEVEL_TOP: number[] = [];
const LEVEL_USEC: number[] = [];
for (let k = 0; k < LEVELS; k++) {
  const top = hdrHighestEquivalent(1024 * 2 ** k);
  LEVEL_TOP.push(top);
  LEVEL_USEC.push(Math.floor(top / 1000));
}

function toNs(usec: number): number {
  return Math.min(MAX_NS, Math.max(1, usec * 1000));
}

export class CommandHistogram {
  /** Calls by duration for durations under 1024µs (the common case), then a map for the rest. */
  private readonly small = new Float64Array(SMALL);
  private readonly large = new Map<number, number>();
  total = 0;

  record(usec: number): void {
    if (usec < SMALL) this.small[usec < 0 ? 0 : usec]!++;
    else this.large.set(usec, (this.large.get(usec) ?? 0) + 1);
    this.total++;
  }

  /** [duration in µs, calls] in increasing duration. */
  private entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let u = 0; u < SMALL; u++) if (this.small[u]! > 0) out.push([u, this.small[u]!]);
    const big = [...this.large.entries()].sort((a, b) => a[0] - b[0]);
    return out.concat(big);
  }

  /** [label µs, cumulative calls] at each power-of-two level where the count grows. */
  cdf(): [number, number][] {
    const out: [number, number][] = [];
    let cum = 0;
    let k = 0;
    for (const [usec, n] of this.entries()) {
      const ns = toNs(usec);
      while (k < LEVELS - 1 && ns > LEVEL_TOP[k]!) k++;
      cum += n;
      const last = out[out.length - 1];
      if (last !== undefined && last[0] === LEVEL_USEC[k]) last[1] = cum;
      else out.push([LEVEL_USEC[k]!, cum]);
    }
    return out;
  }

  /** hdr_value_at_percentile, in microseconds (three decimals are significant). */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const want = Math.max(1, Math.floor((Math.min(p, 100) / 100) * this.total + 0.5));
    let cum = 0;
    let ns = 0;
    for (const [usec, n] of this.entries()) {
      ns = toNs(usec);
      cum += n;
      if (cum >= want) break;
    }
    if (p === 0) return (hdrHighestEquivalent(ns) - hdrResolution(ns) + 1) / 1000;
    return hdrHighestEquivalent(ns) / 1000;
  }
}

function hdrResolution(ns: number): number {
  return ns < 256 ? 1 : 2 ** (31 - Math.clz32(ns) - 7);
}

export class LatencyMonitor {
  readonly events = new Map<string, LatencySeries>();
  /** latency-monitor-threshold in ms (0 = off). */
  threshold = 0;
  /** latency-tracking */
  tracking = true;
  readonly histograms = new Map<Command, CommandHistogram>();

  /** Redis latencyAddSampleIfNeeded: records ms under event when at or above the threshold. */
  sample(event: string, ms: number): void {
    if (this.threshold === 0 || ms < this.threshold) return;
    this.add(event, ms);
  }

  add(event: string, ms: number): void {
    let ts = this.events.get(event);
    if (ts === undefined) {
      ts = new LatencySeries();
      this.events.set(event, ts);
    }
    ts.add(Math.floor(Date.now() / 1000), ms);
  }

  /** Drops one event (case-insensitive) or, with null, all of them; returns how many. */
  reset(event: string | null): number {
    let n = 0;
    for (const name of [...this.events.keys()]) {
      if (event === null || name.toLowerCase() === event.toLowerCase()) {
        this.events.delete(name);
        n++;
      }
    }
    return n;
  }

  recordCommand(cmd: Command, usec: number): void {
    let h = this.histograms.get(cmd);
    if (h === undefined) {
      h = new CommandHistogram();
      this.histograms.set(cmd, h);
    }
    h.record(usec);
  }
}

const monitors = new WeakMap<Server, LatencyMonitor>();

/** The server's latency monitor, kept in step with its configs. */
export function latencyMonitor(server: Server): LatencyMonitor {
  let m = monitors.get(server);
  if (m === undefined) {
    const lm = new LatencyMonitor();
    lm.threshold = server.config.int('latency-monitor-threshold');
    lm.tracking = server.config.bool('latency-tracking');
    server.config.onApply('latency-monitor-threshold', (v) => ((lm.threshold = Number(v)), null));
    server.config.onApply('latency-tracking', (v) => ((lm.tracking = v === 'yes'), null));
    monitors.set(server, lm);
    m = lm;
  }
  return m;
}
