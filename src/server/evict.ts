// maxmemory: before each command, while used memory (server/memory.ts) is over the limit,
// keys are evicted by maxmemory-policy, the way Redis's performEvictions does it:
//  - noeviction evicts nothing: commands flagged denyoom (and anything queued in MULTI) get
//    the OOM error;
//  - *-random picks a random key (allkeys) or a random key with a TTL (volatile);
//  - *-lru / *-lfu / volatile-ttl sample maxmemory-samples keys per database into a pool of
//    16 candidates kept sorted by "idleness" (idle time, 255 - LFU counter, or how soon the
//    TTL ends) and evict the best one; stale pool entries are skipped;
//  - a run is time-boxed by maxmemory-eviction-tenacity; what is left continues in a
//    background loop between events, and the command meanwhile goes ahead.
// Each evicted key counts in INFO evicted_keys, fires the 'evicted' keyspace event and is
// signalled as modified (WATCH, client tracking).

import type { Server } from './server.js';
import type { Client } from './client.js';
import { CLIENT } from './client.js';
import type { Command } from '../commands/registry.js';
import type { Db, Entry } from '../store/db.js';
import { lfuCounter } from '../store/db.js';
import { CMD } from '../commands/flags.js';
import { NOTIFY } from './notify.js';
import { countedMemory, freshClientBytes } from './memory.js';
import { queuedCommandFlags } from './multi.js';

export type EvictResult = 'ok' | 'running' | 'fail';

type Kind = 'lru' | 'lfu' | 'ttl' | 'random' | 'none';

export interface Policy {
  kind: Kind;
  /** allkeys-*: every key; volatile-*: only keys with a TTL. */
  allKeys: boolean;
}

export function parsePolicy(name: string): Policy {
  if (name === 'noeviction') return { kind: 'none', allKeys: false };
  const [scope, kind] = name.split('-') as [string, Kind];
  return { kind, allKeys: scope === 'allkeys' };
}

/** Microseconds a synchronous eviction run may take (Redis evictionTimeLimitUs). */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return 500 * Math.pow(1.15, tenacity - 10);
  return Infinity;
}

const POOL_SIZE = 16;

interface Candidate {
  idle: number;
  key: string;
  db: number;
}

/**
 * Random key names from a Map without O(n) work per draw: a snapshot of the names, rebuilt
 * when the map has grown or shrunk by half since; names deleted meanwhile are dropped as met.
 */
class KeySampler {
  private snaps = new WeakMap<Map<string, Entry>, string[]>();

  draw(map: Map<string, Entry>): string | null {
    let snap = this.snaps.get(map);
    if (snap === undefined || snap.length === 0 || snap.length * 2 < map.size || map.size * 2 < snap.length) {
      snap = Array.from(map.keys());
      this.snaps.set(map, snap);
    }
    while (snap.length > 0 && map.size > 0) {
      const i = Math.floor(Math.random() * snap.length);
      const k = snap[i]!;
      if (map.has(k)) return k;
      snap[i] = snap[snap.length - 1]!;
      snap.pop();
    }
    return null;
  }
}

export class Evictor {
  private policy: Policy;
  private pool: Candidate[] = [];
  private readonly sampler = new KeySampler();
  private nextDb = 0;
  private procRunning = false;
  /** Since when the memory has been over the limit without eviction catching up (INFO). */
  private exceededSince = 0;
  totalExceededMs = 0;
  /** Deletions of keys evicted while a command ran, replicated once it is over. */
  private deferred: { db: number; argv: string[] }[] = [];

  constructor(private readonly server: Server) {
    this.policy = parsePolicy(server.config.str('maxmemory-policy'));
    server.config.onApply('maxmemory-policy', (v) => {
      this.policy = parsePolicy(v);
      this.pool = [];
      return null;
    });
    // Like Redis's updateMaxmemory: a lower limit evicts at once, not at the next write. One
    // bounded pass here (the value is not stored yet, so it is passed in); what the time budget
    // leaves over continues between events. The deletions reach replicas after the command.
    // Inside MULTI/EXEC (a command within a command) it all waits until the transaction is
    // over: its later commands must not see keys vanish, as Redis defers to its timer.
    server.config.onApply('maxmemory', (v) => {
      const max = Number(v);
      if (max > 0) {
        const used = countedMemory(server);
        if (max < used) {
          server.log.warning(
            `WARNING: the new maxmemory value set via CONFIG SET (${max}) is smaller than the current memory usage (${used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`,
          );
        }
        if (server.prop.depth > 1) this.startProc();
        else this.perform(max);
      }
      return null;
    });
  }

  /** Replicates the evictions made during the command that just ended (see evict). */
  flushDeferred(): void {
    if (this.deferred.length === 0) return;
    const list = this.deferred;
    this.deferred = [];
    for (const d of list) this.server.prop.now(d.db, d.argv);
  }

  /** maxmemory in bytes (0 = no limit). */
  limit(): number {
    return this.server.config.int('maxmemory');
  }

  /** Milliseconds of the current over-the-limit period (INFO current_eviction_exceeded_time). */
  currentExceededMs(): number {
    return this.exceededSince === 0 ? 0 : Date.now() - this.exceededSince;
  }

  /** Brings memory under maxmemory if it can (Redis performEvictions). */
  perform(max = this.limit()): EvictResult {
    if (max <= 0) return 'ok';
    // A replica evicts nothing itself (replica-ignore-maxmemory): its primary's DELs decide.
    if (this.server.repl.isReplica && this.server.config.bool('replica-ignore-maxmemory')) return 'ok';
    freshClientBytes(this.server);
    const used = countedMemory(this.server);
    if (used <= max) return this.done('ok');
    if (this.policy.kind === 'none') return this.done('fail');
    const toFree = used - max;
    const budgetUs = evictionTimeLimitUs(this.server.config.int('maxmemory-eviction-tenacity'));
    const t0 = performance.now();
    let freed = 0;
    let evicted = 0;
    while (freed < toFree) {
      const best = this.policy.kind === 'random' ? this.randomVictim() : this.poolVictim();
      if (best === null) return this.done('fail');
      freed += this.evict(best.db, best.key);
      evicted++;
      if (evicted % 16 === 0 && (performance.now() - t0) * 1000 > budgetUs) {
        this.startProc();
        return this.done('running');
      }
    }
    return this.done('ok');
  }

  private done(r: EvictResult): EvictResult {
    if (r === 'ok') {
      if (this.exceededSince !== 0) this.totalExceededMs += Date.now() - this.exceededSince;
      this.exceededSince = 0;
    } else if (this.exceededSince === 0) {
      this.exceededSince = Date.now();
    }
    return r;
  }

  /** Keeps evicting between events until memory is under the limit (evictionTimeProc). */
  private startProc(): void {
    if (this.procRunning) return;
    this.procRunning = true;
    const step = (): void => {
      if (this.perform() === 'running') {
        setImmediate(step);
        return;
      }
      this.procRunning = false;
    };
    setImmediate(step);
  }

  /** Deletes key as an eviction; returns the bytes it accounted for. */
  private evict(db: Db, key: string): number {
    const e = db.dict.get(key);
    if (e === undefined) return 0;
    const bytes = e.mem;
    db.delete(key);
    const server = this.server;
    server.stats.evictedKeys++;
    server.keyModified(db, key);
    server.events.notify(NOTIFY.evicted, 'evicted', key, db.id);
    // Replicas never evict on their own: each eviction reaches them as a deletion of its own,
    // never wrapped in MULTI with the others (Redis propagate_no_multi). One made while a
    // command runs (CONFIG SET maxmemory, inside EXEC) goes out after that command's batch, as
    // Redis's deferred eviction does.
    if (server.prop.enabled) {
      const argv = [server.config.bool('lazyfree-lazy-eviction') ? 'UNLINK' : 'DEL', key];
      if (server.prop.depth > 0) this.deferred.push({ db: db.id, argv });
      else server.prop.now(db.id, argv);
    }
    return bytes;
  }

  private source(db: Db): Map<string, Entry> {
    return this.policy.allKeys ? db.dict : db.expires;
  }

  private randomVictim(): { db: Db; key: string } | null {
    const dbs = this.server.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[++this.nextDb % dbs.length]!;
      const map = this.source(db);
      if (map.size === 0) continue;
      const key = this.sampler.draw(map);
      if (key !== null) return { db, key };
    }
    return null;
  }

  /** Redis's idle score: higher means a better candidate. */
  private score(e: Entry, now: number): number {
    switch (this.policy.kind) {
      case 'lru':
        return Math.max(0, now - e.lru);
      case 'lfu':
        return 255 - lfuCounter(e, now);
      default:
        return Number.MAX_SAFE_INTEGER - e.expireAt;
    }
  }

  /** Samples each db into the pool, kept ascending by score (evictionPoolPopulate). */
  private populate(db: Db, map: Map<string, Entry>, now: number): void {
    const samples = Math.max(1, this.server.config.int('maxmemory-samples'));
    const pool = this.pool;
    for (let n = 0; n < samples; n++) {
      const key = this.sampler.draw(map);
      if (key === null) return;
      if (pool.some((p) => p.db === db.id && p.key === key)) continue;
      const idle = this.score(map.get(key)!, now);
      let k = 0;
      while (k < pool.length && pool[k]!.idle < idle) k++;
      if (k === 0 && pool.length >= POOL_SIZE) continue;
      pool.splice(k, 0, { idle, key, db: db.id });
      if (pool.length > POOL_SIZE) pool.shift();
    }
  }

  private poolVictim(): { db: Db; key: string } | null {
    const dbs = this.server.dbs;
    const now = Date.now();
    for (;;) {
      let total = 0;
      for (const db of dbs) {
        const map = this.source(db);
        if (map.size === 0) continue;
        total += map.size;
        this.populate(db, map, now);
      }
      if (total === 0) return null;
      // Best candidates are at the end; entries whose key went away are dropped.
      while (this.pool.length > 0) {
        const cand = this.pool.pop()!;
        const db = dbs[cand.db]!;
        if (this.source(db).has(cand.key)) return { db, key: cand.key };
      }
    }
  }
}

/** The commands processCommand lets through under OOM inside MULTI, resolved once per server. */
export interface MultiControl {
  exec: number;
  allowed: Set<number>;
}

function multiControl(server: Server): MultiControl {
  const ids = (name: string): number => server.commands.lookupOriginal(name)?.id ?? -1;
  const exec = ids('exec');
  return { exec, allowed: new Set([exec, ids('discard'), ids('quit'), ids('reset')]) };
}

/** Whether the OOM refusal applies to cmd (processCommand's reject_cmd_on_oom). */
export function refusedOnOom(c: Client, cmd: Command, ctl: MultiControl, flags = cmd.flags): boolean {
  if ((flags & CMD.denyoom) !== 0) return true;
  if (cmd.id === ctl.exec && (queuedCommandFlags(c) & CMD.denyoom) !== 0) return true;
  return c.has(CLIENT.multi) && !ctl.allowed.has(cmd.id);
}

const evictors = new WeakMap<Server, Evictor>();

export function evictorOf(server: Server): Evictor | undefined {
  return evictors.get(server);
}

/** Installs the maxmemory check in the command gate (call once per server). */
export function installEviction(server: Server): Evictor {
  const ev = new Evictor(server);
  evictors.set(server, ev);
  const ctl = multiControl(server);
  server.oomCheck = (c, cmd, flags) => {
    if (ev.limit() <= 0) return false;
    return ev.perform() === 'fail' && refusedOnOom(c, cmd, ctl, flags);
  };
  return ev;
}
