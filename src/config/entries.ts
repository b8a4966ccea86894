// Every config parameter of Redis 7.0.15 (built with TLS, as Debian's redis-server is), in the
// order of Redis's standardConfig table: names, aliases, types, bounds, enum values, defaults
// as CONFIG GET prints them, and the immutable/protected/sensitive/hidden/... flags.
//
// Parameters outside IMPLEMENTED are accepted, validated, stored, shown and rewritten exactly
// like Redis does, but have no effect on Redoubt's behaviour yet (`notImplemented`).

import type { ConfigEntry, NumericSpec, SpecialCodec } from './types.js';
import { I32_MAX, I32_MIN, I64_MAX, U32_MAX, U64_MAX } from './values.js';
import {
  DEFAULT_BIND,
  DEFAULT_OBUF,
  DEFAULT_SAVE,
  bindCodec,
  dirCodec,
  notifyCodec,
  obufCodec,
  oomValuesCodec,
  percentilesCodec,
  replicaofCodec,
  saveCodec,
} from './special.js';
import { validProcTitleTemplate } from './proctitle.js';
import { validateAuditEvents, validateAuditLog, validateHostPort } from '../server/audit-events.js';

/** The parameters whose behaviour Redoubt implements today. */
const IMPLEMENTED = new Set([
  'port',
  'bind',
  'protected-mode',
  'databases',
  'dir',
  'loglevel',
  'logfile',
  'proto-max-bulk-len',
  'client-query-buffer-limit',
  'requirepass',
  // ACL (src/acl/*.ts)
  'aclfile',
  'acl-pubsub-default',
  'acllog-max-len',
  'auth-failure-limit',
  'auth-failure-window',
  'auth-failure-block',
  'maxclients',
  'timeout',
  'tcp-keepalive',
  // maxmemory and output limits (src/server/evict.ts, obuf.ts, client-evict.ts)
  'maxmemory',
  'maxmemory-policy',
  'maxmemory-samples',
  'maxmemory-eviction-tenacity',
  'maxmemory-clients',
  'client-output-buffer-limit',
  'hz',
  'enable-debug-command',
  'enable-protected-configs',
  'enable-module-command',
  'unixsocket',
  'unixsocketperm',
  'active-expire-effort',
  'lazyfree-lazy-eviction',
  'lazyfree-lazy-expire',
  'lazyfree-lazy-server-del',
  'lazyfree-lazy-user-del',
  'lazyfree-lazy-user-flush',
  'always-show-logo',
  'pidfile',
  // TLS (src/net/tls*.ts); tls-replication and tls-cluster only gate context building here.
  'tls-port',
  'tls-session-cache-size',
  'tls-session-cache-timeout',
  'tls-cluster',
  'tls-replication',
  'tls-auth-clients',
  'tls-prefer-server-ciphers',
  'tls-session-caching',
  'tls-cert-file',
  'tls-key-file',
  'tls-key-file-pass',
  'tls-client-cert-file',
  'tls-client-key-file',
  'tls-client-key-file-pass',
  'tls-dh-params-file',
  'tls-ca-cert-file',
  'tls-ca-cert-dir',
  'tls-protocols',
  'tls-ciphers',
  'tls-ciphersuites',
  'tls-auto-reload-interval',
  'tls-auth-clients-user',
  'tls-crl-file',
  // Data types, Pub/Sub, introspection, replication requirements (no replicas yet)
  'lfu-log-factor',
  'lfu-decay-time',
  'slowlog-max-len',
  'slowlog-log-slower-than',
  'latency-monitor-threshold',
  'hash-max-listpack-entries',
  'hash-max-listpack-value',
  'set-max-intset-entries',
  'zset-max-listpack-entries',
  'zset-max-listpack-value',
  'hll-sparse-max-bytes',
  'tracking-table-max-keys',
  'notify-keyspace-events',
  'latency-tracking',
  'latency-tracking-info-percentiles',
  'min-replicas-to-write',
  'min-replicas-max-lag',
  // RDB persistence (src/persist/) and stream node sizes (src/store/stream.ts)
  'save',
  'dbfilename',
  'rdbcompression',
  'rdbchecksum',
  'stream-node-max-entries',
  'stream-node-max-bytes',
  // Primary side of replication (src/replication/primary.ts, backlog.ts)
  'repl-backlog-size',
  'repl-backlog-ttl',
  'repl-ping-replica-period',
  // A replica leaves eviction to its primary (src/server/evict.ts, replica-gate.ts)
  'replica-ignore-maxmemory',
  // Scripts run past it make the server BUSY (src/scripting/engine.ts, busy.ts)
  'busy-reply-threshold',
  // Persistence errors refuse writes (src/persist/disk-error.ts)
  'stop-writes-on-bgsave-error',
  // Replica side of replication (src/replication/replica*.ts)
  'replicaof',
  'masterauth',
  'masteruser',
  'replica-read-only',
  'replica-serve-stale-data',
  'repl-timeout',
  'replica-announce-ip',
  'replica-announce-port',
  'replica-priority',
  'replica-announced',
  'repl-diskless-load',
  'repl-disable-tcp-nodelay',
  'bind-source-addr',
  // Append-only file (src/persist/aof*.ts)
  'appendonly',
  'appendfsync',
  'appendfilename',
  'appenddirname',
  'aof-load-truncated',
  'aof-use-rdb-preamble',
  'aof-timestamp-enabled',
  'aof-disable-auto-gc',
  'auto-aof-rewrite-percentage',
  'auto-aof-rewrite-min-size',
  // Redoubt's audit log (src/server/audit*.ts)
  'audit-log',
  'audit-events',
  'audit-rate',
  'audit-syslog-target',
]);

interface Flags {
  alias?: string;
  immutable?: boolean;
  protected?: boolean;
  sensitive?: boolean;
  hidden?: boolean;
  debug?: boolean;
  denyLoading?: boolean;
  multiArg?: boolean;
  volatile?: boolean;
  validate?: (value: string) => string | null;
}

const I = { immutable: true } as const;

function common(name: string, f: Flags): Omit<ConfigEntry, 'type' | 'default'> {
  const { alias, ...rest } = f;
  return { name, ...(alias ? { aliases: [alias] } : {}), ...rest };
}

function bool(name: string, def: boolean, f: Flags = {}): ConfigEntry {
  return { ...common(name, f), type: 'bool', default: def ? 'yes' : 'no' };
}

function str(name: string, def: string | null, f: Flags = {}): ConfigEntry {
  return { ...common(name, f), type: 'string', default: def ?? '', ...(def === null ? { emptyIsNull: true } : {}) };
}

type NumFlags = Flags & Omit<NumericSpec, 'min' | 'max'>;

function num(name: string, min: bigint, max: bigint, def: bigint, f: NumFlags = {}): ConfigEntry {
  const { unsigned, memory, percent, octal, ...flags } = f;
  const numeric: NumericSpec = { min, max, unsigned, memory, percent, octal };
  const shown = octal ? def.toString(8) : String(def);
  return { ...common(name, flags), type: 'int', default: shown, numeric };
}

/** Unsigned C types (unsigned int, unsigned long long, size_t) check bounds as unsigned. */
function unum(name: string, min: bigint, max: bigint, def: bigint, f: NumFlags = {}): ConfigEntry {
  return num(name, min, max, def, { ...f, unsigned: true });
}

function enumc(
  name: string,
  names: readonly string[],
  def: string,
  f: Flags = {},
  values?: readonly number[],
): ConfigEntry {
  const vals = names.map((n, i) => [n, values ? values[i]! : i] as const);
  return { ...common(name, f), type: 'enum', default: def, values: vals };
}

function special(name: string, def: string, codec: SpecialCodec, f: Flags = {}): ConfigEntry {
  return { ...common(name, f), type: 'special', default: def, special: codec };
}

const LONG_MAX = I64_MAX;
const LLONG_MAX = I64_MAX;
const SSIZE_MAX = I64_MAX;
const MB = 1024n * 1024n;

const PROTECTED_ACTION = ['no', 'yes', 'local'];
const SHUTDOWN_ON_SIG = ['default', 'save', 'nosave', 'now', 'force'];
const SHUTDOWN_BITS = [0, 1, 2, 4, 8];

function activeDefrag(v: string): string | null {
  // Redoubt has no jemalloc, like a Redis built without HAVE_DEFRAG (Debian's build too).
  return v === 'yes'
    ? 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution'
    : null;
}

function baseName(what: string, kind: string, allowEmpty: boolean): (v: string) => string | null {
  return (v) => {
    if (!allowEmpty && v === '') return `${what} can't be empty`;
    if (v.includes('/') || v.includes('\\')) return `${what} can't be a path, just a ${kind}`;
    return null;
  };
}

function shutdownFlags(v: string): string | null {
  const words = v.split(' ');
  return words.includes('save') && words.includes('nosave')
    ? "shutdown options SAVE and NOSAVE can't be used simultaneously"
    : null;
}

function hostname(v: string): string | null {
  if (v.length >= 256) return 'Hostnames must be less than 256 characters';
  if (!/^[A-Za-z0-9.-]*$/.test(v)) return 'Hostnames may only contain alphanumeric characters, hyphens or dots';
  return null;
}

function procTitle(v: string): string | null {
  return validProcTitleTemplate(v) ? null : 'template format is invalid or contains unknown variables';
}

const hzClamp = (v: bigint): bigint => (v < 1n ? 1n : v > 500n ? 500n : v);

const TABLE: ConfigEntry[] = [
  // Bool configs
  bool('rdbchecksum', true, I),
  bool('daemonize', false, I),
  bool('io-threads-do-reads', false, { debug: true, immutable: true }),
  bool('always-show-logo', false, I),
  bool('protected-mode', true),
  bool('rdbcompression', true),
  bool('rdb-del-sync-files', false),
  bool('activerehashing', true),
  bool('stop-writes-on-bgsave-error', true),
  bool('set-proc-title', true, I),
  bool('dynamic-hz', true),
  bool('lazyfree-lazy-eviction', false, { debug: true }),
  bool('lazyfree-lazy-expire', false, { debug: true }),
  bool('lazyfree-lazy-server-del', false, { debug: true }),
  bool('lazyfree-lazy-user-del', false, { debug: true }),
  bool('lazyfree-lazy-user-flush', false, { debug: true }),
  bool('repl-disable-tcp-nodelay', false),
  bool('repl-diskless-sync', true, { debug: true }),
  bool('aof-rewrite-incremental-fsync', true),
  bool('no-appendfsync-on-rewrite', false),
  bool('cluster-require-full-coverage', true),
  bool('rdb-save-incremental-fsync', true),
  bool('aof-load-truncated', true),
  bool('aof-use-rdb-preamble', true),
  bool('aof-timestamp-enabled', false),
  bool('cluster-replica-no-failover', false, { alias: 'cluster-slave-no-failover' }),
  bool('replica-lazy-flush', false, { alias: 'slave-lazy-flush' }),
  bool('replica-serve-stale-data', true, { alias: 'slave-serve-stale-data' }),
  bool('replica-read-only', true, { alias: 'slave-read-only', debug: true }),
  bool('replica-ignore-maxmemory', true, { alias: 'slave-ignore-maxmemory' }),
  bool('jemalloc-bg-thread', true),
  bool('activedefrag', false, { debug: true, validate: activeDefrag }),
  bool('syslog-enabled', false, I),
  bool('cluster-enabled', false, I),
  bool('appendonly', false, { denyLoading: true }),
  bool('cluster-allow-reads-when-down', false),
  bool('cluster-allow-pubsubshard-when-down', true),
  bool('crash-log-enabled', true),
  bool('crash-memcheck-enabled', true),
  bool('use-exit-on-panic', false, { hidden: true }),
  bool('disable-thp', true, I),
  bool('cluster-allow-replica-migration', true),
  bool('replica-announced', true),
  bool('latency-tracking', true),
  bool('aof-disable-auto-gc', false),
  bool('replica-ignore-disk-write-errors', false),

  // String configs
  str('aclfile', '', I),
  str('unixsocket', null, I),
  str('pidfile', null, I),
  str('replica-announce-ip', null, { alias: 'slave-announce-ip' }),
  str('masteruser', null, { sensitive: true }),
  str('cluster-announce-ip', null),
  str('cluster-config-file', 'nodes.conf', I),
  str('cluster-announce-hostname', null, { validate: hostname }),
  str('syslog-ident', 'redis', I),
  str('dbfilename', 'dump.rdb', { protected: true, validate: baseName('dbfilename', 'filename', true) }),
  str('appendfilename', 'appendonly.aof', { immutable: true, validate: baseName('appendfilename', 'filename', false) }),
  str('appenddirname', 'appendonlydir', { immutable: true, validate: baseName('appenddirname', 'dirname', false) }),
  str('server_cpulist', null, I),
  str('bio_cpulist', null, I),
  str('aof_rewrite_cpulist', null, I),
  str('bgsave_cpulist', null, I),
  str('ignore-warnings', ''),
  str('proc-title-template', '{title} {listen-addr} {server-mode}', { validate: procTitle }),
  str('bind-source-addr', null),
  str('logfile', '', I),

  // SDS configs
  str('masterauth', null, { sensitive: true }),
  str('requirepass', null, { sensitive: true }),

  // Enum configs
  enumc('supervised', ['upstart', 'systemd', 'auto', 'no'], 'no', I),
  enumc(
    'syslog-facility',
    ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'],
    'local0',
    I,
  ),
  enumc('repl-diskless-load', ['disabled', 'on-empty-db', 'swapdb'], 'disabled', { debug: true, denyLoading: true }),
  enumc('loglevel', ['debug', 'verbose', 'notice', 'warning'], 'notice'),
  enumc(
    'maxmemory-policy',
    [
      'volatile-lru',
      'volatile-lfu',
      'volatile-random',
      'volatile-ttl',
      'allkeys-lru',
      'allkeys-lfu',
      'allkeys-random',
      'noeviction',
    ],
    'noeviction',
  ),
  enumc('appendfsync', ['everysec', 'always', 'no'], 'everysec'),
  // "yes" and "relative" are the same value; CONFIG GET prints the first name, "yes".
  enumc('oom-score-adj', ['no', 'yes', 'relative', 'absolute'], 'no', {}, [0, 1, 1, 2]),
  enumc('acl-pubsub-default', ['allchannels', 'resetchannels'], 'resetchannels', {}, [1, 0]),
  enumc('sanitize-dump-payload', ['no', 'yes', 'clients'], 'no', { debug: true }),
  enumc('enable-protected-configs', PROTECTED_ACTION, 'no', I),
  enumc('enable-debug-command', PROTECTED_ACTION, 'no', I),
  enumc('enable-module-command', PROTECTED_ACTION, 'no', I),
  enumc('cluster-preferred-endpoint-type', ['ip', 'hostname', 'unknown-endpoint'], 'ip'),
  enumc('propagation-error-behavior', ['ignore', 'panic', 'panic-on-replicas'], 'ignore'),
  enumc('shutdown-on-sigint', SHUTDOWN_ON_SIG, 'default', { multiArg: true, validate: shutdownFlags }, SHUTDOWN_BITS),
  enumc('shutdown-on-sigterm', SHUTDOWN_ON_SIG, 'default', { multiArg: true, validate: shutdownFlags }, SHUTDOWN_BITS),

  // Integer configs (int)
  num('databases', 1n, I32_MAX, 16n, I),
  num('port', 0n, 65535n, 6379n),
  num('io-threads', 1n, 128n, 1n, { debug: true, immutable: true }),
  num('auto-aof-rewrite-percentage', 0n, I32_MAX, 100n),
  num('cluster-replica-validity-factor', 0n, I32_MAX, 10n, { alias: 'cluster-slave-validity-factor' }),
  num('list-max-listpack-size', I32_MIN, I32_MAX, -2n, { alias: 'list-max-ziplist-size' }),
  num('tcp-keepalive', 0n, I32_MAX, 300n),
  num('cluster-migration-barrier', 0n, I32_MAX, 1n),
  num('active-defrag-cycle-min', 1n, 99n, 1n),
  num('active-defrag-cycle-max', 1n, 99n, 25n),
  num('active-defrag-threshold-lower', 0n, 1000n, 10n),
  num('active-defrag-threshold-upper', 0n, 1000n, 100n),
  num('lfu-log-factor', 0n, I32_MAX, 10n),
  num('lfu-decay-time', 0n, I32_MAX, 1n),
  num('replica-priority', 0n, I32_MAX, 100n, { alias: 'slave-priority' }),
  num('repl-diskless-sync-delay', 0n, I32_MAX, 5n),
  num('maxmemory-samples', 1n, I32_MAX, 5n),
  num('maxmemory-eviction-tenacity', 0n, 100n, 10n),
  num('timeout', 0n, I32_MAX, 0n),
  num('replica-announce-port', 0n, 65535n, 0n, { alias: 'slave-announce-port' }),
  num('tcp-backlog', 0n, I32_MAX, 511n, I),
  num('cluster-port', 0n, 65535n, 0n, I),
  num('cluster-announce-bus-port', 0n, 65535n, 0n),
  num('cluster-announce-port', 0n, 65535n, 0n),
  num('cluster-announce-tls-port', 0n, 65535n, 0n),
  num('repl-timeout', 1n, I32_MAX, 60n),
  num('repl-ping-replica-period', 1n, I32_MAX, 10n, { alias: 'repl-ping-slave-period' }),
  num('list-compress-depth', 0n, I32_MAX, 0n, { debug: true }),
  num('rdb-key-save-delay', I32_MIN, I32_MAX, 0n, { hidden: true }),
  num('key-load-delay', I32_MIN, I32_MAX, 0n, { hidden: true }),
  num('active-expire-effort', 1n, 10n, 1n),
  { ...num('hz', 0n, I32_MAX, 10n), clamp: hzClamp },
  num('min-replicas-to-write', 0n, I32_MAX, 0n, { alias: 'min-slaves-to-write' }),
  num('min-replicas-max-lag', 0n, I32_MAX, 10n, { alias: 'min-slaves-max-lag' }),
  num('watchdog-period', 0n, I32_MAX, 0n, { hidden: true }),
  num('shutdown-timeout', 0n, I32_MAX, 10n),
  num('repl-diskless-sync-max-replicas', 0n, I32_MAX, 0n),

  // Unsigned int configs
  unum('maxclients', 1n, U32_MAX, 10000n),
  unum('unixsocketperm', 0n, 0o777n, 0n, { immutable: true, octal: true }),
  unum('socket-mark-id', 0n, U32_MAX, 0n, I),

  // Unsigned long configs (Redis checks their bounds as signed)
  num('active-defrag-max-scan-fields', 1n, LONG_MAX, 1000n),
  num('slowlog-max-len', 0n, LONG_MAX, 128n),
  num('acllog-max-len', 0n, LONG_MAX, 128n),
  // Redoubt: opt-in AUTH failure throttle per source address (0 = off); see src/acl/throttle.ts.
  // Hidden from CONFIG GET patterns (Redis's list stays identical); readable by exact name.
  num('auth-failure-limit', 0n, I32_MAX, 0n, { hidden: true }),
  num('auth-failure-window', 1n, I32_MAX, 60n, { hidden: true }),
  num('auth-failure-block', 1n, I32_MAX, 60n, { hidden: true }),

  // Long long configs
  num('busy-reply-threshold', 0n, LONG_MAX, 5000n, { alias: 'lua-time-limit' }),
  num('cluster-node-timeout', 0n, LLONG_MAX, 15000n),
  num('slowlog-log-slower-than', -1n, LLONG_MAX, 10000n),
  num('latency-monitor-threshold', 0n, LLONG_MAX, 0n),
  num('proto-max-bulk-len', MB, LONG_MAX, 512n * MB, { debug: true, memory: true }),
  num('stream-node-max-entries', 0n, LLONG_MAX, 100n),
  num('repl-backlog-size', 1n, LLONG_MAX, MB, { memory: true }),

  // Unsigned long long configs
  unum('maxmemory', 0n, U64_MAX, 0n, { memory: true }),
  unum('cluster-link-sendbuf-limit', 0n, U64_MAX, 0n, { memory: true }),

  // size_t configs
  unum('hash-max-listpack-entries', 0n, LONG_MAX, 512n, { alias: 'hash-max-ziplist-entries' }),
  unum('set-max-intset-entries', 0n, LONG_MAX, 512n),
  unum('zset-max-listpack-entries', 0n, LONG_MAX, 128n, { alias: 'zset-max-ziplist-entries' }),
  unum('active-defrag-ignore-bytes', 1n, LLONG_MAX, 100n * MB, { memory: true }),
  unum('hash-max-listpack-value', 0n, LONG_MAX, 64n, { alias: 'hash-max-ziplist-value', memory: true }),
  unum('stream-node-max-bytes', 0n, LONG_MAX, 4096n, { memory: true }),
  unum('zset-max-listpack-value', 0n, LONG_MAX, 64n, { alias: 'zset-max-ziplist-value', memory: true }),
  unum('hll-sparse-max-bytes', 0n, LONG_MAX, 3000n, { memory: true }),
  unum('tracking-table-max-keys', 0n, LONG_MAX, 1000000n),
  unum('client-query-buffer-limit', MB, LONG_MAX, 1024n * MB, { debug: true, memory: true }),
  num('maxmemory-clients', -100n, SSIZE_MAX, 0n, { memory: true, percent: true }),

  // Other numeric configs (time_t, off_t)
  num('repl-backlog-ttl', 0n, LONG_MAX, 3600n),
  num('auto-aof-rewrite-min-size', 0n, LLONG_MAX, 64n * MB, { memory: true }),
  num('loading-process-events-interval-bytes', 1024n, I32_MAX, 2n * MB, { hidden: true }),

  // TLS configs
  num('tls-port', 0n, 65535n, 0n),
  num('tls-session-cache-size', 0n, I32_MAX, 20n * 1024n),
  num('tls-session-cache-timeout', 0n, I32_MAX, 300n),
  bool('tls-cluster', false),
  bool('tls-replication', false),
  enumc('tls-auth-clients', ['no', 'yes', 'optional'], 'yes'),
  bool('tls-prefer-server-ciphers', false),
  bool('tls-session-caching', true),
  str('tls-cert-file', null, { volatile: true }),
  str('tls-key-file', null, { volatile: true }),
  str('tls-key-file-pass', null),
  str('tls-client-cert-file', null, { volatile: true }),
  str('tls-client-key-file', null, { volatile: true }),
  str('tls-client-key-file-pass', null),
  str('tls-dh-params-file', null, { volatile: true }),
  str('tls-ca-cert-file', null, { volatile: true }),
  str('tls-ca-cert-dir', null, { volatile: true }),
  str('tls-protocols', null),
  str('tls-ciphers', null),
  str('tls-ciphersuites', null),
  // Redoubt's own TLS configs (not in Redis 7.0.15): reload on file change, certificate
  // logins, revocation list. Hidden from glob patterns so CONFIG GET * lists what Redis lists;
  // an exact name reads them.
  num('tls-auto-reload-interval', 0n, 86400n, 0n, { hidden: true }),
  enumc('tls-auth-clients-user', ['off', 'cn', 'uri'], 'off', { hidden: true }),
  str('tls-crl-file', null, { volatile: true, hidden: true }),
  // Redoubt's audit log (not in Redis 7.0.15), hidden from glob patterns like the TLS ones.
  // Protected: a path or host an attacker could point anywhere, or turn the trail off.
  // audit-log is volatile: CONFIG SET of the same path reopens the file (rotation without a signal).
  str('audit-log', '', { protected: true, hidden: true, volatile: true, validate: validateAuditLog }),
  str('audit-events', 'all', { protected: true, hidden: true, validate: validateAuditEvents }),
  num('audit-rate', 0n, 1000000n, 20n, { protected: true, hidden: true }),
  str('audit-syslog-target', '127.0.0.1:514', { protected: true, hidden: true, validate: validateHostPort }),

  // Special configs
  special('dir', '', dirCodec, { protected: true, denyLoading: true }),
  special('save', DEFAULT_SAVE, saveCodec, { multiArg: true }),
  special('client-output-buffer-limit', DEFAULT_OBUF, obufCodec, { multiArg: true }),
  special('oom-score-adj-values', '0 200 800', oomValuesCodec, { multiArg: true }),
  special('notify-keyspace-events', '', notifyCodec),
  special('bind', DEFAULT_BIND, bindCodec, { multiArg: true }),
  special('replicaof', '', replicaofCodec, { alias: 'slaveof', immutable: true, multiArg: true }),
  special('latency-tracking-info-percentiles', '50 99 99.9', percentilesCodec, { multiArg: true }),
];

for (const e of TABLE) if (!IMPLEMENTED.has(e.name)) e.notImplemented = true;

export const CONFIG_ENTRIES: readonly ConfigEntry[] = TABLE;

/** Names of the parameters Redoubt accepts and stores but does not act on yet (for the README). */
export function notImplementedConfigs(): string[] {
  return TABLE.filter((e) => e.notImplemented).map((e) => e.name);
}
