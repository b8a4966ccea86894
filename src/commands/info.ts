// INFO: the sections, fields and text format of Redis 7.0.15 ("# Server\r\nredis_version:...").
// Each section is an ordered list of fields built from the server's state. Layers that own
// a figure (replication, persistence, pub/sub...) register an InfoProvider for the section:
// its fields replace the defaults of the same name, in place, or are appended.

import { latencyStatsLines } from './introspection.js';
import { pubsubInfo } from '../pubsub/install.js';
import { clientsInTimeoutTable } from '../server/blocking.js';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CommandImpls } from './types.js';
import type { Server } from '../server/server.js';
import type { Command } from './registry.js';
import { CLIENT } from '../server/client.js';
import { REDIS_VERSION, REDOUBT_VERSION } from '../server/version.js';
import { lookupConfig } from '../config/store.js';
import { clientMemory, memoryFigures } from './memory.js';
import { evictorOf } from '../server/evict.js';
import { replicationInfo } from '../replication/info.js';

export type InfoValue = string | number;
export type InfoFields = Record<string, InfoValue>;
export type InfoProvider = (server: Server) => InfoFields;

/** Providers by section name (lower case). */
export const infoProviders: Record<string, InfoProvider[]> = {};

export function addInfoProvider(section: string, p: InfoProvider): void {
  (infoProviders[section] ??= []).push(p);
}

/** Per-server figures INFO keeps between calls: ids, peaks and the instantaneous metrics. */
export class InfoState {
  runId = randomBytes(20).toString('hex');
  readonly metrics = {
    ops: new Sampler(),
    netIn: new Sampler(),
    netOut: new Sampler(),
  };
}

/** Instantaneous rate over the last 16 samples, taken every 100ms (trackInstantaneousMetric). */
export class Sampler {
  private samples: number[] = new Array(16).fill(0);
  private idx = 0;
  private lastTime = 0;
  private lastValue = 0;

  sample(nowMs: number, value: number): void {
    if (this.lastTime !== 0) {
      const dt = nowMs - this.lastTime;
      this.samples[this.idx] = dt > 0 ? ((value - this.lastValue) * 1000) / dt : 0;
      this.idx = (this.idx + 1) % this.samples.length;
    }
    this.lastTime = nowMs;
    this.lastValue = value;
  }

  rate(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return sum / this.samples.length;
  }
}

const states = new WeakMap<Server, InfoState>();

export function infoState(server: Server): InfoState {
  let s = states.get(server);
  if (s === undefined) {
    s = new InfoState();
    states.set(server, s);
  }
  return s;
}

/** Samples the instantaneous metrics; installed as a cron hook (it keeps its own 100ms period). */
export function installInfoSampling(server: Server): void {
  const st = infoState(server);
  let last = 0;
  server.hooks.cron.push(() => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    const s = server.stats;
    st.metrics.ops.sample(now, s.totalCommands);
    st.metrics.netIn.sample(now, s.netInputBytes);
    st.metrics.netOut.sample(now, s.netOutputBytes);
  });
}

/** A config value, or the fallback when that config is not (yet) defined. */
export function cfg(server: Server, name: string, fallback: string): string {
  return lookupConfig(name) === undefined ? fallback : server.config.str(name);
}

/** Redis's bytesToHuman. */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const u of units) {
    if (d < 1024) return `${d.toFixed(2)}${u}`;
    d /= 1024;
  }
  return `${n}B`;
}

/** getSafeInfoString: characters that would break the INFO format become '_'. */
function safe(s: string): string {
  return /[#:\r\n]/.test(s) ? s.replace(/[#:\r\n]/g, '_') : s;
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : n > 0 ? 'inf' : n < 0 ? '-inf' : 'nan';
}

/** seconds.microseconds, as Redis prints rusage times. */
function cpuTime(usec: number): string {
  return `${Math.floor(usec / 1e6)}.${String(Math.floor(usec % 1e6)).padStart(6, '0')}`;
}

let uname: string | null = null;
function osName(): string {
  uname ??= `${os.type()} ${os.release()} ${os.machine()}`;
  return uname;
}

function serverSection(server: Server): InfoFields {
  const now = Date.now();
  const uptime = Math.floor((now - server.startTime) / 1000);
  const hz = server.config.int('hz');
  return {
    redis_version: REDIS_VERSION,
    redis_git_sha1: '00000000',
    redis_git_dirty: 0,
    redis_build_id: 'redoubt' + REDOUBT_VERSION.replace(/\./g, ''),
    redis_mode: 'standalone',
    os: osName(),
    arch_bits: 64,
    monotonic_clock: 'POSIX clock_gettime',
    multiplexing_api: 'epoll',
    atomicvar_api: 'c11-builtin',
    gcc_version: '0.0.0',
    process_id: process.pid,
    process_supervised: 'no',
    run_id: infoState(server).runId,
    tcp_port: server.tcpPort,
    server_time_usec: Math.floor((performance.timeOrigin + performance.now()) * 1000),
    uptime_in_seconds: uptime,
    uptime_in_days: Math.floor(uptime / 86400),
    hz,
    configured_hz: hz,
    lru_clock: Math.floor(now / 1000) & 0xffffff,
    executable: path.resolve(process.argv[1] ?? process.execPath),
    config_file: server.configFile ?? '',
    io_threads_active: 0,
    redoubt_version: REDOUBT_VERSION,
  };
}

function clientsSection(server: Server): InfoFields {
  let blocked = 0;
  let tracking = 0;
  let maxIn = 0;
  let maxOut = 0;
  for (const c of server.clients.values()) {
    if (c.has(CLIENT.blocked | CLIENT.postponed)) blocked++;
    if (c.has(CLIENT.tracking)) tracking++;
    maxIn = Math.max(maxIn, c.parser.qbuf.alloc);
    maxOut = Math.max(maxOut, c.reply.bytes + (c.control?.socketPending() ?? 0));
  }
  return {
    connected_clients: server.clients.size,
    cluster_connections: 0,
    maxclients: server.config.int('maxclients'),
    client_recent_max_input_buffer: maxIn,
    client_recent_max_output_buffer: maxOut,
    blocked_clients: blocked,
    tracking_clients: tracking,
    clients_in_timeout_table: clientsInTimeoutTable(server),
  };
}

function memorySection(server: Server): InfoFields {
  const m = memoryFigures(server);
  const maxmemory = Number(cfg(server, 'maxmemory', '0'));
  const totalSystem = os.totalmem();
  let clientsNormal = 0;
  for (const c of server.clients.values()) clientsNormal += clientMemory(c);
  const ratio = (a: number, b: number): string => fixed(b > 0 ? a / b : 0, 2);
  return {
    used_memory: m.used,
    used_memory_human: bytesToHuman(m.used),
    used_memory_rss: m.rss,
    used_memory_rss_human: bytesToHuman(m.rss),
    used_memory_peak: m.peak,
    used_memory_peak_human: bytesToHuman(m.peak),
    used_memory_peak_perc: `${fixed((m.used / m.peak) * 100, 2)}%`,
    used_memory_overhead: m.overhead,
    used_memory_startup: m.startup,
    used_memory_dataset: m.dataset,
    used_memory_dataset_perc: `${fixed(m.datasetPerc, 2)}%`,
    allocator_allocated: m.used,
    allocator_active: m.heapTotal,
    allocator_resident: m.rss,
    total_system_memory: totalSystem,
    total_system_memory_human: bytesToHuman(totalSystem),
    used_memory_lua: 0,
    used_memory_vm_eval: 0,
    used_memory_lua_human: '0B',
    used_memory_scripts_eval: 0,
    number_of_cached_scripts: 0,
    number_of_functions: 0,
    number_of_libraries: 0,
    used_memory_vm_functions: 0,
    used_memory_vm_total: 0,
    used_memory_vm_total_human: '0B',
    used_memory_functions: 0,
    used_memory_scripts: 0,
    used_memory_scripts_human: '0B',
    maxmemory,
    maxmemory_human: bytesToHuman(maxmemory),
    maxmemory_policy: cfg(server, 'maxmemory-policy', 'noeviction'),
    allocator_frag_ratio: ratio(m.heapTotal, m.used),
    allocator_frag_bytes: Math.max(0, m.heapTotal - m.used),
    allocator_rss_ratio: ratio(m.rss, m.heapTotal),
    allocator_rss_bytes: m.rss - m.heapTotal,
    rss_overhead_ratio: '1.00',
    rss_overhead_bytes: 0,
    mem_fragmentation_ratio: ratio(m.rss, m.used),
    mem_fragmentation_bytes: m.rss - m.used,
    mem_not_counted_for_evict: 0,
    mem_replication_backlog: 0,
    mem_total_replication_buffers: 0,
    mem_clients_slaves: 0,
    mem_clients_normal: clientsNormal,
    mem_cluster_links: 0,
    mem_aof_buffer: 0,
    mem_allocator: 'libc',
    active_defrag_running: 0,
    lazyfree_pending_objects: 0,
    lazyfreed_objects: 0,
  };
}

function persistenceSection(server: Server): InfoFields {
  return {
    loading: 0,
    async_loading: 0,
    current_cow_peak: 0,
    current_cow_size: 0,
    current_cow_size_age: 0,
    current_fork_perc: '0.00',
    current_save_keys_processed: 0,
    current_save_keys_total: 0,
    rdb_changes_since_last_save: server.dirty,
    rdb_bgsave_in_progress: 0,
    rdb_last_save_time: server.lastSave,
    rdb_last_bgsave_status: 'ok',
    rdb_last_bgsave_time_sec: -1,
    rdb_current_bgsave_time_sec: -1,
    rdb_saves: 0,
    rdb_last_cow_size: 0,
    rdb_last_load_keys_expired: 0,
    rdb_last_load_keys_loaded: 0,
    aof_enabled: cfg(server, 'appendonly', 'no') === 'yes' ? 1 : 0,
    aof_rewrite_in_progress: 0,
    aof_rewrite_scheduled: 0,
    aof_last_rewrite_time_sec: -1,
    aof_current_rewrite_time_sec: -1,
    aof_last_bgrewrite_status: 'ok',
    aof_rewrites: 0,
    aof_rewrites_consecutive_failures: 0,
    aof_last_write_status: 'ok',
    aof_last_cow_size: 0,
    module_fork_in_progress: 0,
    module_fork_last_cow_size: 0,
  };
}

function statsSection(server: Server): InfoFields {
  const s = server.stats;
  const m = infoState(server).metrics;
  const ps = pubsubInfo(server);
  return {
    total_connections_received: s.totalConnections,
    total_commands_processed: s.totalCommands,
    instantaneous_ops_per_sec: Math.round(m.ops.rate()),
    total_net_input_bytes: s.netInputBytes,
    total_net_output_bytes: s.netOutputBytes,
    total_net_repl_input_bytes: 0,
    total_net_repl_output_bytes: 0,
    instantaneous_input_kbps: fixed(m.netIn.rate() / 1024, 2),
    instantaneous_output_kbps: fixed(m.netOut.rate() / 1024, 2),
    instantaneous_input_repl_kbps: '0.00',
    instantaneous_output_repl_kbps: '0.00',
    rejected_connections: s.rejectedConnections,
    sync_full: 0,
    sync_partial_ok: 0,
    sync_partial_err: 0,
    expired_keys: s.expiredKeys,
    expired_stale_perc: fixed(s.expiredStalePerc, 2),
    expired_time_cap_reached_count: s.expiredTimeCapReached,
    expire_cycle_cpu_milliseconds: 0,
    evicted_keys: s.evictedKeys,
    evicted_clients: s.evictedClients,
    total_eviction_exceeded_time: evictorOf(server)?.totalExceededMs ?? 0,
    current_eviction_exceeded_time: evictorOf(server)?.currentExceededMs() ?? 0,
    keyspace_hits: s.keyspaceHits,
    keyspace_misses: s.keyspaceMisses,
    pubsub_channels: ps.pubsub_channels,
    pubsub_patterns: ps.pubsub_patterns,
    pubsubshard_channels: ps.pubsubshard_channels,
    latest_fork_usec: 0,
    total_forks: 0,
    migrate_cached_sockets: 0,
    slave_expires_tracked_keys: server.replicaKeys.size,
    active_defrag_hits: 0,
    active_defrag_misses: 0,
    active_defrag_key_hits: 0,
    active_defrag_key_misses: 0,
    total_active_defrag_time: 0,
    current_active_defrag_time: 0,
    tracking_total_keys: ps.tracking_total_keys,
    tracking_total_items: ps.tracking_total_items,
    tracking_total_prefixes: ps.tracking_total_prefixes,
    unexpected_error_replies: s.unexpectedErrorReplies,
    total_error_replies: s.totalErrorReplies,
    dump_payload_sanitizations: 0,
    total_reads_processed: s.readsProcessed,
    total_writes_processed: s.writesProcessed,
    io_threaded_reads_processed: 0,
    io_threaded_writes_processed: 0,
    reply_buffer_shrinks: 0,
    reply_buffer_expands: 0,
    acl_access_denied_auth: s.aclDeniedAuth,
    acl_access_denied_cmd: s.aclDeniedCmd,
    acl_access_denied_key: s.aclDeniedKey,
    acl_access_denied_channel: s.aclDeniedChannel,
  };
}

function replicationSection(server: Server): InfoFields {
  return replicationInfo(server);
}

function cpuSection(): InfoFields {
  const u = process.cpuUsage();
  return {
    used_cpu_sys: cpuTime(u.system),
    used_cpu_user: cpuTime(u.user),
    used_cpu_sys_children: '0.000000',
    used_cpu_user_children: '0.000000',
    used_cpu_sys_main_thread: cpuTime(u.system),
    used_cpu_user_main_thread: cpuTime(u.user),
  };
}

function commandStatsLines(server: Server): string {
  let out = '';
  const visit = (cmd: Command): void => {
    const st = cmd.stats;
    if (st.calls || st.failedCalls || st.rejectedCalls) {
      const per = st.calls === 0 ? 0 : st.usec / st.calls;
      out +=
        `cmdstat_${safe(cmd.fullname)}:calls=${st.calls},usec=${st.usec},usec_per_call=${per.toFixed(2)}` +
        `,rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}\r\n`;
    }
    if (cmd.subcommands !== null) for (const sub of cmd.subcommands.values()) visit(sub);
  };
  for (const cmd of server.commands.original.values()) visit(cmd);
  return out;
}

function errorStatsLines(server: Server): string {
  // Redis keeps them in a radix tree: byte order.
  const codes = [...server.stats.errors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let out = '';
  for (const code of codes) out += `errorstat_${safe(code)}:count=${server.stats.errors.get(code)}\r\n`;
  return out;
}

function keyspaceLines(server: Server): string {
  let out = '';
  for (const db of server.dbs) {
    const keys = db.dict.size;
    const expires = db.expires.size;
    if (keys > 0 || expires > 0)
      out += `db${db.id}:keys=${keys},expires=${expires},avg_ttl=${Math.round(db.avgTtl)}\r\n`;
  }
  return out;
}

function withProviders(section: string, server: Server, fields: InfoFields): string {
  for (const p of infoProviders[section] ?? []) Object.assign(fields, p(server));
  let out = '';
  for (const k in fields) out += `${k}:${fields[k]}\r\n`;
  return out;
}

interface Section {
  name: string;
  title: string;
  body(server: Server): string;
  /** Printed by INFO with no argument / "default". */
  byDefault: boolean;
}

const fieldSection = (name: string, title: string, gen: (s: Server) => InfoFields, byDefault = true): Section => ({
  name,
  title,
  byDefault,
  body: (s) => withProviders(name, s, gen(s)),
});

/** Redis's section order. */
const SECTIONS: readonly Section[] = [
  fieldSection('server', 'Server', serverSection),
  fieldSection('clients', 'Clients', clientsSection),
  fieldSection('memory', 'Memory', memorySection),
  fieldSection('persistence', 'Persistence', persistenceSection),
  fieldSection('stats', 'Stats', statsSection),
  fieldSection('replication', 'Replication', replicationSection),
  fieldSection('cpu', 'CPU', cpuSection),
  { name: 'modules', title: 'Modules', byDefault: true, body: () => '' },
  { name: 'commandstats', title: 'Commandstats', byDefault: false, body: commandStatsLines },
  { name: 'errorstats', title: 'Errorstats', byDefault: true, body: errorStatsLines },
  { name: 'latencystats', title: 'Latencystats', byDefault: false, body: latencyStatsLines },
  fieldSection('cluster', 'Cluster', () => ({ cluster_enabled: 0 })),
  { name: 'keyspace', title: 'Keyspace', byDefault: true, body: keyspaceLines },
];

/** The INFO text for the given arguments (section names, "all", "default", "everything"). */
export function genInfo(server: Server, args: readonly string[]): string {
  let all = false;
  const wanted = new Set<string>();
  if (args.length === 0) {
    for (const s of SECTIONS) if (s.byDefault) wanted.add(s.name);
  }
  for (const a of args) {
    const name = a.toLowerCase();
    if (name === 'all' || name === 'everything') all = true;
    else if (name === 'default') {
      for (const s of SECTIONS) if (s.byDefault) wanted.add(s.name);
    } else wanted.add(name === 'module_list' ? 'modules' : name);
  }
  const parts: string[] = [];
  for (const s of SECTIONS) {
    if (all || wanted.has(s.name)) parts.push(`# ${s.title}\r\n${s.body(server)}`);
  }
  return parts.join('\r\n');
}

export const infoCommands: CommandImpls = {
  info(c, argv) {
    c.reply.verbatim(genInfo(c.server, argv.slice(1)));
  },
};
