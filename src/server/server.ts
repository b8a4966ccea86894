// The server's shared state and its timers: databases, clients, command registry, config,
// stats. Wiring only: protocol, commands and store live in their own layers.

import { monoNow, recalibrateClock, wallAt } from './clock.js';
import { ConfigStore } from '../config/store.js';
import { Db, type Entry, type KeyspaceObserver } from '../store/db.js';
import { CommandRegistry, type Command } from '../commands/registry.js';
import { ALL_COMMANDS, ALL_GETKEYS } from '../commands/index.js';
import { CLIENT, Client } from './client.js';
import { Logger, type LogLevel } from './log.js';
import { Stats } from './stats.js';
import type { SecurityProvider } from './security.js';
import { installAcl } from '../acl/provider.js';
import { installLfuConfig } from '../commands/object.js';
import { installServerCommands } from '../commands/server-cmds.js';
import { installTransactions } from './multi.js';
import { installIntrospection } from '../commands/introspection.js';
import { NOTIFY, Notifier } from './notify.js';
import { installPubsub } from '../pubsub/install.js';
import { installMemoryAccounting } from './memory.js';
import { installEviction } from './evict.js';
import { installOutputLimits } from './obuf.js';
import { installClientEviction } from './client-evict.js';
import { installAudit, type AuditLog } from './audit.js';
import { Propagator } from '../replication/propagate.js';
import { ReplState } from '../replication/state.js';
import { installReplica } from '../replication/replica.js';
import { ReplicaKeyExpiry } from '../replication/replica-expire.js';
import { busyScript } from '../scripting/busy.js';

/** Time a writable replica's cron may spend expiring its own keys (Redis's expireSlaveKeys). */
const REPLICA_EXPIRE_BUDGET_MS = 1;

/** Hooks later layers add (MULTI/WATCH, notifications, tracking, MONITOR, SLOWLOG). */
export interface ServerHooks {
  keyModified: ((db: Db, key: string) => void)[];
  keyExpired: ((db: Db, key: string) => void)[];
  /** A db's whole contents were replaced (FLUSHDB/FLUSHALL/SWAPDB); `old` is what it held. */
  dbReplaced: ((db: Db, old: ReadonlyMap<string, Entry>) => void)[];
  clientClosed: ((c: Client) => void)[];
  /** RESET: each layer drops its per-client state (MULTI, subscriptions, tracking...). */
  clientReset: ((c: Client) => void)[];
  /** A key was added to a db (Redis dbAdd): blocked clients waiting on it may be served. */
  keyAdded: ((db: Db, key: string) => void)[];
  /** Called after each executed command with its duration in microseconds. */
  commandExecuted: ((c: Client, argv: readonly string[], usec: number, cmd: Command) => void)[];
  /** CONFIG RESETSTAT: layers clear the statistics they keep (latency histograms...). */
  statsReset: (() => void)[];
  /** Called on every cron tick (hz times a second): sampling, per-client housekeeping. */
  cron: (() => void)[];
}

export class Server implements KeyspaceObserver {
  readonly config: ConfigStore;
  readonly dbs: Db[] = [];
  readonly commands: CommandRegistry;
  readonly clients = new Map<number, Client>();
  readonly stats = new Stats();
  readonly log = new Logger();
  readonly hooks: ServerHooks = {
    keyModified: [],
    keyExpired: [],
    dbReplaced: [],
    clientClosed: [],
    clientReset: [],
    keyAdded: [],
    commandExecuted: [],
    statsReset: [],
    cron: [],
  };
  security: SecurityProvider;
  /** Keyspace notifications: commands call server.events.notify(NOTIFY.x, 'event', key, dbid). */
  readonly events: Notifier;
  /** The client whose command is running (set by dispatch's call), null between commands. */
  currentClient: Client | null = null;
  /** Records a latency event in ms if above latency-monitor-threshold (set by the LATENCY layer). */
  latencySample: (event: string, ms: number) => void = () => {};
  /** Returns true when the command must be refused with OOM (maxmemory layer fills this). */
  oomCheck: ((c: Client, cmd: Command, flags?: number) => boolean) | null = null;
  readonly startTime = Date.now();
  /** Time of the command being run, cached so one command sees one "now". */
  cmdTime = Date.now();
  /** Frozen while a command runs (MULTI/EXEC, scripts): expiry uses this clock. */
  private timeFrozen = false;
  nextClientId = 1;
  lastSave = Math.floor(Date.now() / 1000);
  dirty = 0;
  /** Active expiry on/off (DEBUG SET-ACTIVE-EXPIRE). */
  activeExpire = true;
  /**
   * A long command is yielding to the event loop (a busy script), as Redis's
   * processEventsWhileBlocked: the gate refuses what it must (-BUSY) and each read's replies
   * are written at once, so that they leave before the long command's own reply.
   */
  yieldingCommand = false;
  /** Set by CLIENT PAUSE: until when, and whether only writes are paused. */
  pauseUntil = 0;
  pauseWritesOnly = false;
  /** Latest values of configs read on the hot path (kept fresh by apply hooks). */
  protoMaxBulkLen = 512 * 1024 * 1024;
  queryBufLimit = 1024 * 1024 * 1024;
  private cron: NodeJS.Timeout | null = null;
  cronLoops = 0;
  /** Called to stop the whole process (SHUTDOWN); set by the entry point. */
  shutdownHandler: ((code: number) => void) | null = null;
  /** Listening addresses, for INFO and CLIENT LIST laddr; set by the network layer. */
  tcpPort = 0;
  /** Absolute path of the config file, if any (CONFIG REWRITE, INFO config_file). */
  configFile: string | null = null;
  /** The replication stream's feeder (see replication/propagate.ts). */
  readonly prop = new Propagator();
  /** Replication id, offset and the replica side (see replication/state.ts). */
  readonly repl = new ReplState();
  /** True while the AOF is replayed: nothing expires then, as in Redis (the file decides). */
  loading = false;
  /** Runs before a connection writes its replies (the AOF writes what they depend on first). */
  beforeReply: (() => void) | null = null;
  /** The security audit log; null while audit-log is off, so hooks cost one null check. */
  audit: AuditLog | null = null;
  /** A writable replica's own keys with a TTL, expired by its cron (its primary never will). */
  readonly replicaKeys = new ReplicaKeyExpiry();

  constructor(config: ConfigStore = new ConfigStore()) {
    this.config = config;
    this.events = new Notifier(config);
    const n = config.int('databases');
    // A replica never expires keys itself (its primary sends the DELs) and nothing expires
    // while loading; the master client and the loader see logically expired keys as present.
    const paused = (): boolean => this.loading || this.repl.isReplica;
    const obeying = (): boolean => this.loading || this.currentClient?.has(CLIENT.master) === true;
    for (let i = 0; i < n; i++) this.dbs.push(new Db(i, this, () => this.now(), paused, obeying));
    this.commands = new CommandRegistry(ALL_COMMANDS, ALL_GETKEYS);
    // rename-command from the config file; the loader already refused unknown names, so a
    // miss here is a command Redoubt does not implement yet (nothing to hide).
    for (const [from, to] of config.renames) this.commands.rename(from, to);
    this.security = installAcl(this);
    this.log.level = config.str('loglevel') as LogLevel;
    this.log.file = config.str('logfile');
    this.protoMaxBulkLen = config.int('proto-max-bulk-len');
    this.queryBufLimit = config.int('client-query-buffer-limit');
    config.onApply('proto-max-bulk-len', (v) => ((this.protoMaxBulkLen = Number(v)), null));
    config.onApply('client-query-buffer-limit', (v) => ((this.queryBufLimit = Number(v)), null));
    config.onApply('loglevel', (v) => ((this.log.level = v as LogLevel), null));
    config.onApply('hz', () => (this.startCron(), null));
    installLfuConfig(this);
    installServerCommands(this);
    installTransactions(this);
    installIntrospection(this);
    installPubsub(this);
    installMemoryAccounting(this);
    installEviction(this);
    installOutputLimits(this);
    installClientEviction(this);
    installAudit(this);
    installReplica(this);
  }

  /** The time commands see: cached at command start, frozen inside MULTI/EXEC. */
  now(): number {
    return this.timeFrozen ? this.cmdTime : Date.now();
  }

  /** Runs fn with the clock frozen at the current time (one command = one "now"). */
  withFrozenTime<T>(fn: () => T): T {
    if (this.timeFrozen) return fn();
    this.cmdTime = Date.now();
    this.timeFrozen = true;
    try {
      return fn();
    } finally {
      this.timeFrozen = false;
    }
  }

  /** Runs a handler with the clock frozen (no closure on the hot path). */
  runFrozen(h: (c: Client, argv: string[]) => void, c: Client, argv: string[], mono = monoNow()): void {
    if (this.timeFrozen) return h(c, argv);
    this.cmdTime = wallAt(mono);
    // The command's arrival is activity (CLIENT INFO of itself shows idle=0), as Redis's read.
    c.lastInteraction = this.cmdTime;
    this.timeFrozen = true;
    try {
      h(c, argv);
    } catch (e) {
      // A bug in one command must not take the server down. The arguments are not logged:
      // they may hold secrets.
      this.log.warning(`Internal error running '${c.lastCmd?.fullname ?? '?'}': ${(e as Error).stack ?? String(e)}`);
      c.reply.error('ERR internal error while running the command');
    } finally {
      this.timeFrozen = false;
    }
  }

  keyModified(db: Db, key: string): void {
    for (const h of this.hooks.keyModified) h(db, key);
  }

  keyExpired(db: Db, key: string): void {
    this.stats.expiredKeys++;
    // A primary decides expiry for its replicas: they delete the key when the DEL arrives.
    if (this.prop.enabled) this.prop.now(db.id, [this.config.bool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
    for (const h of this.hooks.keyExpired) h(db, key);
    for (const h of this.hooks.keyModified) h(db, key);
  }

  keyAdded(db: Db, key: string): void {
    for (const h of this.hooks.keyAdded) h(db, key);
    this.events.notify(NOTIFY.new, 'new', key, db.id);
  }

  expireSet(db: Db, key: string): void {
    // Redis's rememberSlaveKeyWithExpire: a writable replica's own client set the TTL (not
    // the primary's stream, nor a file being loaded).
    const c = this.currentClient;
    if (c === null || this.loading || !this.repl.isReplica || c.has(CLIENT.master)) return;
    if (!this.config.bool('replica-read-only')) this.replicaKeys.remember(db.id, key);
  }

  keyMiss(db: Db, key: string): void {
    this.events.notify(NOTIFY.keyMiss, 'keymiss', key, db.id);
  }

  dbReplaced(db: Db, old: ReadonlyMap<string, Entry>): void {
    for (const h of this.hooks.dbReplaced) h(db, old);
  }

  newClient(addr: string, laddr: string, fd: number): Client {
    const c = new Client(this.nextClientId++, this, addr, laddr, fd);
    c.authenticated = this.security.startsAuthenticated();
    this.clients.set(c.id, c);
    this.stats.totalConnections++;
    return c;
  }

  removeClient(c: Client): void {
    if (!this.clients.delete(c.id)) return;
    for (const h of this.hooks.clientClosed) h(c);
  }

  startCron(): void {
    if (this.cron !== null) clearInterval(this.cron);
    const hz = Math.min(500, Math.max(1, this.config.int('hz')));
    this.cron = setInterval(() => this.serverCron(), Math.floor(1000 / hz));
    this.cron.unref();
  }

  stopCron(): void {
    if (this.cron !== null) clearInterval(this.cron);
    this.cron = null;
  }

  /** Periodic work, like Redis's serverCron: active expiry and idle-client timeouts. */
  private serverCron(): void {
    this.cronLoops++;
    recalibrateClock();
    for (const h of this.hooks.cron) h();
    // Not while a busy script yields: its keyspace must not change under it.
    if (this.activeExpire && busyScript(this) === null) {
      if (!this.repl.isReplica) {
        const t0 = performance.now();
        this.activeExpireCycle();
        this.latencySample('expire-cycle', Math.floor(performance.now() - t0));
      } else if (this.replicaKeys.size > 0) {
        this.withFrozenTime(() => this.replicaKeys.cycle(this.dbs, this.now(), REPLICA_EXPIRE_BUDGET_MS));
      }
    }
    const timeout = this.config.int('timeout');
    if (timeout > 0) {
      // Redis's rule, in whole seconds as CLIENT LIST's idle= shows them: idle must exceed the
      // timeout, so a client is never closed before `timeout` full seconds of silence.
      const nowSec = Math.floor(Date.now() / 1000);
      for (const c of this.clients.values()) {
        if (
          nowSec - Math.floor(c.lastInteraction / 1000) > timeout &&
          c.control !== null &&
          !c.has(CLIENT.pubsub | CLIENT.blocked | CLIENT.monitor | CLIENT.master)
        ) {
          this.log.verbose('Closing idle client');
          c.control.close();
        }
      }
    }
  }

  /**
   * Time-boxed active expiry: per database, sample keys with a TTL round-robin and keep going
   * while more than a quarter of the sample was expired, within a time budget like Redis's
   * (25% of a cron tick, scaled by active-expire-effort).
   */
  activeExpireCycle(): void {
    const effort = this.config.int('active-expire-effort') - 1;
    const perLoop = 20 + 5 * effort;
    const hz = Math.max(1, this.config.int('hz'));
    const budgetMs = ((25 + 2 * effort) * 1000) / hz / 100;
    const start = performance.now();
    this.cmdTime = Date.now();
    for (const db of this.dbs) {
      for (;;) {
        const [checked, expired] = db.activeExpire(perLoop);
        if (checked === 0 || expired * 4 < checked) break;
        if (performance.now() - start > budgetMs) {
          this.stats.expiredTimeCapReached++;
          return;
        }
      }
    }
  }

  shutdown(code = 0): void {
    this.stopCron();
    if (this.shutdownHandler) this.shutdownHandler(code);
  }
}
