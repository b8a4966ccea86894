// MONITOR, SLOWLOG and LATENCY, and the after-command hook that feeds monitors, the
// slow log, the latency monitor and the per-command latency histograms.

import type { CommandImpls } from './types.js';
import type { Command } from './registry.js';
import { CMD } from './flags.js';
import { parseInt64 } from './args.js';
import { CLIENT, type Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { feedMonitors, monitors, startMonitoring, stopMonitoring } from '../server/monitor.js';
import { slowlog, slowlogCommand } from '../server/slowlog.js';
import { latencyMonitor, type LatencyMonitor, type LatencySeries } from '../server/latency.js';

/** Redis addReplyHelp: a header naming the command, the lines, then HELP. */
function help(c: Client, name: string, lines: readonly string[]): void {
  c.reply.arrayLen(lines.length + 3);
  c.reply.simple(`${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) c.reply.simple(l);
  c.reply.simple('HELP');
  c.reply.simple('    Prints this help.');
}

function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.reply.error(
    `unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try ${argv[0]!.toUpperCase()} HELP.`,
  );
}

// ---- the after-command hook ----------------------------------------------------------------

/** Statistics a command run records once it is over (also used when a blocked client resumes). */
function recordStats(lm: LatencyMonitor, c: Client, cmd: Command, argv: readonly string[], usec: number): void {
  slowlogCommand(slowlog(c.server), c, cmd, argv, usec);
  if (lm.tracking) lm.recordCommand(cmd, usec);
}

/**
 * For the blocking layer: a command that blocked is logged (slow log, latency histogram) when
 * it completes, with the time it spent running (not waiting), as Redis's updateStatsOnUnblock.
 */
export function recordUnblocked(c: Client, cmd: Command, argv: readonly string[], usec: number): void {
  const lm = latencyMonitor(c.server);
  recordStats(lm, c, cmd, argv, usec);
  lm.sample('command-unblocking', Math.floor(usec / 1000));
}

/** Wires MONITOR, SLOWLOG, LATENCY into the server's hooks. */
export function installIntrospection(server: Server): void {
  const lm = latencyMonitor(server);
  const log = slowlog(server);
  const mons = monitors(server);
  server.hooks.commandExecuted.push((c, argv, usec, cmd) => {
    if (lm.threshold > 0) lm.sample(cmd.has(CMD.fast) ? 'fast-command' : 'command', Math.floor(usec / 1000));
    // A blocked command is accounted for when it resumes (recordUnblocked).
    if (!c.has(CLIENT.blocked)) {
      slowlogCommand(log, c, cmd, argv, usec);
      if (lm.tracking) lm.recordCommand(cmd, usec);
    }
    // Administrative commands are too sensitive to be shown.
    if (mons.size > 0 && !cmd.has(CMD.skip_monitor | CMD.admin)) feedMonitors(c, cmd, argv);
  });
  server.hooks.statsReset.push(() => lm.histograms.clear());
  server.latencySample = (event, ms) => lm.sample(event, ms);
  server.hooks.clientClosed.push((c) => stopMonitoring(c));
  server.hooks.clientReset.push((c) => stopMonitoring(c));
}

// ---- SLOWLOG ------------------------------------------------------------------------------

const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Return the <count> most recent slow log entries (10 by default, -1 for all).',
  '    Each entry holds: id, unix time, duration in microseconds, arguments,',
  '    client address and port, client name.',
  'LEN',
  '    Return the number of entries in the slow log.',
  'RESET',
  '    Empty the slow log.',
];

function slowlogGet(c: Client, argv: string[]): void {
  if (argv.length > 3) return subcommandSyntaxError(c, argv);
  const log = slowlog(c.server);
  let count = 10;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]!);
    if (n === null || n < -1n) return c.reply.error('count should be greater than or equal to -1');
    count = n === -1n ? log.entries.length : Number(n > 1_000_000_000n ? 1_000_000_000n : n);
  }
  const n = Math.min(count, log.entries.length);
  c.reply.arrayLen(n);
  for (let i = 0; i < n; i++) {
    const e = log.entries[log.entries.length - 1 - i]!;
    c.reply.arrayLen(6);
    c.reply.int(e.id);
    c.reply.int(e.time);
    c.reply.int(e.usec);
    c.reply.bulkArray(e.argv);
    c.reply.bulk(e.addr);
    c.reply.bulk(e.name);
  }
}

// ---- LATENCY ------------------------------------------------------------------------------

const LATENCY_HELP = [
  'DOCTOR',
  '    Return a human readable analysis of the latency events recorded.',
  'GRAPH <event>',
  '    Return an ASCII graph of the samples of <event>.',
  'HISTORY <event>',
  '    Return the [time, latency] samples recorded for <event>.',
  'LATEST',
  '    Return the latest sample of every event.',
  'RESET [<event> ...]',
  '    Forget the samples of the given events (of all events without arguments).',
  'HISTOGRAM [COMMAND ...]',
  '    Return the cumulative latency distribution of the given commands',
  '    (of every command that ran, without arguments).',
];

function latencyHistory(c: Client, argv: string[]): void {
  const ts = latencyMonitor(c.server).events.get(argv[2]!);
  const samples = ts?.history() ?? [];
  c.reply.arrayLen(samples.length);
  for (const s of samples) {
    c.reply.arrayLen(2);
    c.reply.int(s.time);
    c.reply.int(s.latency);
  }
}

function latencyLatest(c: Client): void {
  const events = latencyMonitor(c.server).events;
  c.reply.arrayLen(events.size);
  for (const [name, ts] of events) {
    const last = ts.latest();
    c.reply.arrayLen(4);
    c.reply.bulk(name);
    c.reply.int(last.time);
    c.reply.int(last.latency);
    c.reply.int(ts.max);
  }
}

function ago(sec: number): string {
  if (sec < 60) return `${sec}s`;
  if (sec < 3600) return `${Math.floor(sec / 60)}m`;
  if (sec < 86400) return `${Math.floor(sec / 3600)}h`;
  return `${Math.floor(sec / 86400)}d`;
}

const GRAPH_COLS = 80;
const GRAPH_ROWS = 4;

/** The event's samples as columns of '#' (height relative to the lowest/highest sample), labelled with their age. */
function graph(name: string, ts: LatencySeries): string {
  const samples = ts.history().slice(-GRAPH_COLS);
  let min = Infinity;
  let max = 0;
  for (const s of samples) {
    min = Math.min(min, s.latency);
    max = Math.max(max, s.latency);
  }
  if (samples.length === 0) min = 0;
  let out = `${name} - high ${max} ms, low ${min} ms (all time high ${ts.max} ms)\n${'-'.repeat(GRAPH_COLS)}\n`;
  const span = max - min || 1;
  const heights = samples.map((s) => 1 + Math.round(((s.latency - min) / span) * (GRAPH_ROWS - 1)));
  for (let row = GRAPH_ROWS; row >= 1; row--) {
    out +=
      heights
        .map((h) => (h >= row ? '#' : ' '))
        .join('')
        .trimEnd() + '\n';
  }
  const now = Math.floor(Date.now() / 1000);
  const labels = samples.map((s) => ago(now - s.time));
  const width = Math.max(0, ...labels.map((l) => l.length));
  for (let i = 0; i < width; i++) {
    out +=
      labels
        .map((l) => l[i] ?? ' ')
        .join('')
        .trimEnd() + '\n';
  }
  return out;
}

function latencyGraph(c: Client, argv: string[]): void {
  const ts = latencyMonitor(c.server).events.get(argv[2]!);
  if (ts === undefined) return c.reply.error(`No samples available for event '${argv[2]}'`);
  c.reply.verbatim(graph(argv[2]!, ts));
}

/** LATENCY DOCTOR: a plain-language summary of each event and generic advice. */
function doctor(lm: LatencyMonitor): string {
  if (lm.events.size === 0) {
    if (lm.threshold === 0) {
      return (
        'Latency monitoring is disabled (latency-monitor-threshold is 0), so there is nothing to analyse.\n' +
        'Enable it with: CONFIG SET latency-monitor-threshold <milliseconds>\n'
      );
    }
    return 'No latency events were recorded: every operation ran faster than the configured threshold.\n';
  }
  let out = 'Latency report:\n\n';
  let i = 1;
  for (const [name, ts] of lm.events) {
    const samples = ts.history();
    let sum = 0;
    let min = Infinity;
    let max = 0;
    for (const s of samples) {
      sum += s.latency;
      min = Math.min(min, s.latency);
      max = Math.max(max, s.latency);
    }
    const avg = samples.length > 0 ? Math.round(sum / samples.length) : 0;
    const period = samples.length > 1 ? samples[samples.length - 1]!.time - samples[0]!.time : 0;
    out +=
      `${i++}. ${name}: ${samples.length} latency spikes (average ${avg}ms, lowest ${min}ms, ` +
      `highest ${max}ms, all time high ${ts.max}ms) over ${period} seconds.\n`;
  }
  out += '\nAdvice:\n';
  if ([...lm.events.keys()].some((n) => n === 'command' || n === 'fast-command')) {
    out +=
      '- Slow commands were recorded: look at SLOWLOG GET for the commands involved, and avoid\n' +
      '  O(N) commands on large values (KEYS, SMEMBERS, LRANGE of big ranges, ...).\n';
  }
  if (lm.events.has('expire-cycle')) {
    out += '- The active expire cycle took long: many keys expire at the same time; spread their TTLs.\n';
  }
  out += '- LATENCY RESET clears the samples once a problem is fixed.\n';
  return out;
}

function latencyHistogram(c: Client, argv: string[]): void {
  const lm = latencyMonitor(c.server);
  const cmds: Command[] = [];
  if (argv.length === 2) {
    for (const cmd of c.server.commands.byId) if (lm.histograms.has(cmd)) cmds.push(cmd);
  } else {
    const seen = new Set<Command>();
    for (let j = 2; j < argv.length; j++) {
      const target = c.server.commands.lookupOriginal(argv[j]!.toLowerCase());
      if (target === undefined) continue;
      // A container names itself and its subcommands.
      const family = [target, ...(target.subcommands?.values() ?? [])];
      for (const cmd of family) {
        if (!seen.has(cmd) && lm.histograms.has(cmd)) {
          seen.add(cmd);
          cmds.push(cmd);
        }
      }
    }
  }
  c.reply.mapLen(cmds.length);
  for (const cmd of cmds) {
    const h = lm.histograms.get(cmd)!;
    c.reply.bulk(cmd.fullname);
    c.reply.mapLen(2);
    c.reply.bulk('calls');
    c.reply.int(h.total);
    c.reply.bulk('histogram_usec');
    const cdf = h.cdf();
    c.reply.mapLen(cdf.length);
    for (const [usec, n] of cdf) {
      c.reply.int(usec);
      c.reply.int(n);
    }
  }
}

/** "p50", "p99.9": the percentile as %f with trailing zeros dropped. */
function percentileLabel(p: number): string {
  return 'p' + p.toFixed(6).replace(/\.?0+$/, '');
}

/** INFO latencystats: latency_percentiles_usec_<command>:p50=...,p99=... per command that ran. */
export function latencyStatsLines(server: Server): string {
  const lm = latencyMonitor(server);
  if (!lm.tracking) return '';
  const ps = server.config
    .str('latency-tracking-info-percentiles')
    .split(' ')
    .filter((x) => x !== '')
    .map(Number);
  let out = '';
  for (const cmd of server.commands.byId) {
    const h = lm.histograms.get(cmd);
    if (h === undefined) continue;
    const parts = ps.map((p) => `${percentileLabel(p)}=${h.percentile(p).toFixed(3)}`);
    out += `latency_percentiles_usec_${cmd.fullname}:${parts.join(',')}\r\n`;
  }
  return out;
}

export const introspectionCommands: CommandImpls = {
  monitor(c) {
    if (c.has(CLIENT.denyBlocking)) return c.reply.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    if (c.has(CLIENT.monitor)) return;
    startMonitoring(c);
    c.reply.ok();
  },
  'slowlog|get': slowlogGet,
  'slowlog|len'(c) {
    c.reply.int(slowlog(c.server).entries.length);
  },
  'slowlog|reset'(c) {
    slowlog(c.server).reset();
    c.reply.ok();
  },
  'slowlog|help'(c) {
    help(c, 'SLOWLOG', SLOWLOG_HELP);
  },
  'latency|history': latencyHistory,
  'latency|latest': latencyLatest,
  'latency|graph': latencyGraph,
  'latency|doctor'(c) {
    c.reply.verbatim(doctor(latencyMonitor(c.server)));
  },
  'latency|reset'(c, argv) {
    const lm = latencyMonitor(c.server);
    if (argv.length === 2) return c.reply.int(lm.reset(null));
    let n = 0;
    for (let j = 2; j < argv.length; j++) n += lm.reset(argv[j]!);
    c.reply.int(n);
  },
  'latency|histogram': latencyHistogram,
  'latency|help'(c) {
    help(c, 'LATENCY', LATENCY_HELP);
  },
};
