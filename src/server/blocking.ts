// Blocking operations on keys (Redis blocked.c), generic over the value type: lists use it
// for BLPOP/BRPOP/BLMOVE/BRPOPLPUSH/BLMPOP, sorted sets for BZPOPMIN/BZPOPMAX/BZMPOP.
//
// API (import from '../server/blocking.js'):
//
//   parseTimeout(c, arg): number | null
//     The timeout argument in seconds (float, "0.1"), as Redis's getTimeoutFromObjectOrReply
//     with UNIT_SECONDS: returns the absolute deadline in ms (0 = block forever), or replies
//     'ERR timeout is not a float or out of range' / 'ERR timeout is negative' and returns
//     null. Parse it where Redis does (before looking at the keys).
//
//   canBlock(c): boolean
//     False inside MULTI/EXEC or a script (CLIENT.multi / CLIENT.denyBlocking): the command
//     must then answer as a timeout would (e.g. c.reply.nullArray()) instead of blocking.
//
//   blockForKeys(c, keys, deadline, onReady, onTimeout?)
//     Blocks c on `keys` of c.db until `deadline` (absolute ms, 0 = forever). Sets
//     CLIENT.blocked (INFO blocked_clients, CLIENT LIST flags=b) and pauses the client's
//     input; its pipelined commands run once it is unblocked. Duplicate keys are ignored.
//     onReady(c, key): boolean — called after the command (or the whole MULTI/EXEC, script)
//       that made `key` ready has completed, for each client blocked on it in the order they
//       blocked (FIFO), like Redis's handleClientsBlockedOnKeys. Look the key up yourself
//       (c.db.peek / c.db.get: no hit/miss stats); if you can serve, do the work (pops,
//       notifications, dirty, touch), write the COMPLETE reply to c.reply and return true:
//       the client is unblocked. Return false to stay blocked (wrong type, nothing to take).
//       An error reply (e.g. WRONGTYPE on a BLMOVE destination) counts as served: write it,
//       return true. Keys you create while serving are signalled too and served in turn.
//     onTimeout(c): writes the reply on timeout or CLIENT UNBLOCK <id> [TIMEOUT].
//       Default: c.reply.nullArray().
//
//   signalKeyAsReady(db, key)
//     Queues `key` for serving when clients wait on it; cheap no-op otherwise. Called
//     automatically for every key ADDED to a Db (Db.set of a missing key, Db.insert used by
//     RENAME/MOVE/COPY/RESTORE...), as Redis does in dbAdd, and for keys present after
//     SWAPDB. Lists and sorted sets never need to call it themselves: clients only block on
//     missing keys, and a key that appears always goes through Db.set/insert.
//
//   unblockClient(c, how: 'timeout' | 'error' | 'silent'): boolean
//     Ends a block from outside (CLIENT UNBLOCK): 'timeout' sends the onTimeout reply,
//     'error' sends '-UNBLOCKED client unblocked via CLIENT UNBLOCK', 'silent' nothing.
//     False when c was not blocked here. Disconnects (CLIENT KILL included) and RESET
//     unblock automatically and leave no trace.
//
//   isBlocked(c), blockedCount(server), clientsInTimeoutTable(server)

import { CLIENT, type Client } from './client.js';
import type { Server } from './server.js';
import type { Db } from '../store/db.js';
import { gate } from '../commands/dispatch.js';
import { recordUnblocked } from '../commands/introspection.js';
import { evictorOf } from './evict.js';

export type OnReady = (c: Client, key: string) => boolean;
export type OnTimeout = (c: Client) => void;

const UNBLOCKED_ERR = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';
const TIMEOUT_NOT_FLOAT = 'ERR timeout is not a float or out of range';
const TIMEOUT_NEGATIVE = 'ERR timeout is negative';
/** Largest deadline a 64-bit millisecond count can hold; beyond it Redis's cast goes negative. */
const MAX_MS = 2 ** 63;
const FLOAT_RE =
  /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?\d+)?|inf(?:inity)?)$/i;

/** One blocked client's wait. */
interface Wait {
  readonly db: Db;
  readonly keys: string[];
  readonly deadline: number;
  readonly onReady: OnReady;
  readonly onTimeout: OnTimeout | undefined;
}

interface TimeoutEntry {
  deadline: number;
  c: Client;
  w: Wait;
}

/** Per-server state: who waits on what, the ready queue and the timeout timer. */
class Blocking {
  readonly waits = new Map<Client, Wait>();
  /** db → key → clients blocked on it, in blocking order (a Set keeps insertion order). */
  readonly byDb = new Map<Db, Map<string, Set<Client>>>();
  /** Keys signalled since the last serving round, in signal order, deduplicated. */
  ready: { db: Db; key: string }[] = [];
  readonly readySet = new Map<Db, Set<string>>();
  /** Min-heap on deadline; entries of clients no longer blocked are dropped lazily. */
  heap: TimeoutEntry[] = [];
  timer: NodeJS.Timeout | null = null;
  timerAt = 0;
  withTimeout = 0;
  /** Clients unblocked whose input must be resumed once the current work is done. */
  resume: Client[] = [];
  resumeScheduled = false;

  constructor(readonly server: Server) {}
}

const states = new WeakMap<Server, Blocking>();
/** Ready keys queued across all servers: lets the per-command check return at once. */
let pendingReady = 0;
const dbStates = new WeakMap<Db, Blocking>();

function stateOf(server: Server): Blocking {
  let st = states.get(server);
  if (st === undefined) {
    st = new Blocking(server);
    states.set(server, st);
    install(st);
  }
  return st;
}

/** Hooks are installed on the first block only: servers that never block pay nothing. */
function install(st: Blocking): void {
  const hooks = st.server.hooks;
  hooks.keyAdded.push((db, key) => signalKeyAsReady(db, key));
  hooks.dbReplaced.push((db) => signalPresentKeys(st, db));
  hooks.clientClosed.push((c) => void endWait(st, c, false));
  hooks.clientReset.push((c) => void endWait(st, c, false));
}

// --- arguments ---

export function parseTimeout(c: Client, arg: string): number | null {
  if (arg.length === 0 || !FLOAT_RE.test(arg) || longDoubleRangeError(arg)) {
    c.reply.error(TIMEOUT_NOT_FLOAT);
    return null;
  }
  const secs = parseSeconds(arg);
  let ms = Math.ceil(secs * 1000);
  // Below a double's range but not a long double's (1e-400): still a positive timeout.
  if (secs === 0 && arg[0] !== '-' && /[1-9]/.test(arg.replace(/[ep].*$/i, '').replace(/^[+]?0x/i, ''))) ms = 1;
  // Infinite or too large for a long long: Redis's cast yields LLONG_MIN, i.e. negative.
  if (ms < 0 || !Number.isFinite(ms) || ms >= MAX_MS) {
    c.reply.error(TIMEOUT_NEGATIVE);
    return null;
  }
  return ms === 0 ? 0 : Date.now() + ms;
}

/**
 * strtold's ERANGE: a finite number whose magnitude a long double cannot hold (beyond about
 * 1.19e4932, or a non-zero value below about 3.6e-4951) is not a float for Redis.
 */
function longDoubleRangeError(s: string): boolean {
  const l = s.toLowerCase().replace(/^[+-]/, '');
  if (l.startsWith('inf')) return false;
  const hex = l.startsWith('0x');
  const [mant, exp] = hex ? l.slice(2).split('p') : l.split('e');
  const [ip = '', fp = ''] = mant!.split('.');
  const digits = ip + fp;
  const first = digits.search(hex ? /[1-9a-f]/ : /[1-9]/);
  if (first < 0) return false;
  // Position of the leading digit, in digits (base 16 or 10), then scaled to the exponent base.
  const lead = ip.length - 1 - first;
  const e = Number(exp ?? '0');
  const mag = hex ? lead * 4 + e : lead + e;
  return hex ? mag >= 16384 || mag < -16446 : mag > 4932 || mag < -4951;
}

/** strtold on an already validated string (decimal, hex float or inf). */
function parseSeconds(s: string): number {
  const l = s.toLowerCase();
  const neg = l.startsWith('-');
  const body = l.replace(/^[+-]/, '');
  if (body.startsWith('inf')) return neg ? -Infinity : Infinity;
  if (!body.startsWith('0x')) return Number(l);
  const [mant, exp] = body.slice(2).split('p');
  const [ip, fp = ''] = mant!.split('.');
  let v = ip === '' ? 0 : parseInt(ip!, 16);
  for (let i = 0; i < fp.length; i++) v += parseInt(fp[i]!, 16) / 16 ** (i + 1);
  if (exp !== undefined) v *= 2 ** Number(exp);
  return neg ? -v : v;
}

export function canBlock(c: Client): boolean {
  return (c.flags & (CLIENT.multi | CLIENT.denyBlocking)) === 0;
}

// --- blocking ---

export function blockForKeys(
  c: Client,
  keys: readonly string[],
  deadline: number,
  onReady: OnReady,
  onTimeout?: OnTimeout,
): void {
  const st = stateOf(c.server);
  endWait(st, c, false);
  const db = c.db;
  const w: Wait = { db, keys: [...new Set(keys)], deadline, onReady, onTimeout };
  st.waits.set(c, w);
  dbStates.set(db, st);
  let perKey = st.byDb.get(db);
  if (perKey === undefined) st.byDb.set(db, (perKey = new Map()));
  for (const k of w.keys) {
    let set = perKey.get(k);
    if (set === undefined) perKey.set(k, (set = new Set()));
    set.add(c);
  }
  c.flags |= CLIENT.blocked;
  c.control?.setPaused(true);
  if (deadline > 0) {
    st.withTimeout++;
    heapPush(st.heap, { deadline, c, w });
    armTimer(st);
  }
}

export function signalKeyAsReady(db: Db, key: string): void {
  const st = dbStates.get(db);
  if (st === undefined || st.waits.size === 0) return;
  if (st.byDb.get(db)?.has(key) !== true) return;
  let set = st.readySet.get(db);
  if (set === undefined) st.readySet.set(db, (set = new Set()));
  if (set.has(key)) return;
  set.add(key);
  st.ready.push({ db, key });
  pendingReady++;
}

/** After SWAPDB: every awaited key now present in db may serve its clients. */
function signalPresentKeys(st: Blocking, db: Db): void {
  const perKey = st.byDb.get(db);
  if (perKey === undefined) return;
  for (const key of perKey.keys()) if (db.dict.has(key)) signalKeyAsReady(db, key);
}

/**
 * Serves clients blocked on the keys made ready so far (Redis handleClientsBlockedOnKeys):
 * key by key in signal order, clients in blocking order. Serving may make other keys ready
 * (BLMOVE pushes), so it loops until nothing is left.
 */
function handleReadyKeys(server: Server): void {
  if (pendingReady === 0) return;
  const st = states.get(server);
  if (st === undefined || st.ready.length === 0) return;
  while (st.ready.length > 0) {
    const batch = st.ready;
    st.ready = [];
    pendingReady -= batch.length;
    for (const { db, key } of batch) {
      st.readySet.get(db)?.delete(key);
      server.withFrozenTime(() => serveKey(st, db, key));
    }
  }
}

function serveKey(st: Blocking, db: Db, key: string): void {
  const waiting = st.byDb.get(db)?.get(key);
  if (waiting === undefined) return;
  const server = st.server;
  for (const c of [...waiting]) {
    const w = st.waits.get(c);
    if (w === undefined || w.db !== db) continue;
    // Gone (expired, or emptied by the clients served before): nothing left to give.
    if (db.peek(key) === undefined) return;
    const outer = server.currentClient;
    server.currentClient = c;
    const errors = c.reply.errors;
    const t0 = performance.now();
    let served: boolean;
    // What serving replicates (the pop, a key it found expired) is queued as inside a command
    // and goes out per served client, as Redis's afterCommand does for each one.
    server.prop.depth++;
    try {
      served = w.onReady(c, key);
    } catch (e) {
      server.log.warning(`Internal error serving a blocked client: ${(e as Error).stack ?? String(e)}`);
      c.reply.error('ERR internal error while running the command');
      served = true;
    } finally {
      server.currentClient = outer;
      server.prop.depth--;
    }
    server.prop.flush(null);
    if (!served) continue;
    endWait(st, c, true);
    statsOnUnblock(c, Math.round((performance.now() - t0) * 1000), c.reply.errors !== errors);
  }
}

/** Removes c's wait, if any; `resume` restarts its input (not for a closed client). */
function endWait(st: Blocking, c: Client, resume: boolean): boolean {
  const w = st.waits.get(c);
  if (w === undefined) return false;
  st.waits.delete(c);
  if (w.deadline > 0) st.withTimeout--;
  const perKey = st.byDb.get(w.db);
  if (perKey !== undefined) {
    for (const k of w.keys) {
      const set = perKey.get(k);
      if (set === undefined) continue;
      set.delete(c);
      if (set.size === 0) perKey.delete(k);
    }
    if (perKey.size === 0) st.byDb.delete(w.db);
  }
  c.flags &= ~CLIENT.blocked;
  if (resume) scheduleResume(st, c);
  // Stale timeout entries pile up when clients are served long before their deadline.
  if (st.heap.length > 64 && st.heap.length > 2 * st.withTimeout) compactHeap(st);
  return true;
}

/**
 * Resumes unblocked clients after the current work, like Redis's processUnblockedClients in
 * beforeSleep: their pipelined commands must not run inside another client's command.
 */
function scheduleResume(st: Blocking, c: Client): void {
  st.resume.push(c);
  if (st.resumeScheduled) return;
  st.resumeScheduled = true;
  setImmediate(() => {
    st.resumeScheduled = false;
    const list = st.resume;
    st.resume = [];
    for (const cl of list) {
      if (st.server.clients.get(cl.id) !== cl || cl.has(CLIENT.blocked)) continue;
      cl.control?.setPaused(false);
    }
  });
}

export function unblockClient(c: Client, how: 'timeout' | 'error' | 'silent'): boolean {
  const st = states.get(c.server);
  if (st === undefined) return false;
  const w = st.waits.get(c);
  if (w === undefined) return false;
  if (how === 'error') c.reply.error(UNBLOCKED_ERR);
  else if (how === 'timeout') replyTimeout(c, w);
  endWait(st, c, true);
  // Redis counts CLIENT UNBLOCK as a failed call of the blocked command, whatever the reason.
  if (how !== 'silent') statsOnUnblock(c, 0, true);
  return true;
}

/** Redis updateStatsOnUnblock: the command's time, failure, slow log and latency histogram. */
function statsOnUnblock(c: Client, usec: number, failed: boolean): void {
  const cmd = c.lastCmd;
  if (cmd === null) return;
  cmd.stats.usec += usec;
  if (failed) cmd.stats.failedCalls++;
  recordUnblocked(c, cmd, c.argv, usec);
}

function replyTimeout(c: Client, w: Wait): void {
  if (w.onTimeout !== undefined) w.onTimeout(c);
  else c.reply.nullArray();
}

export function isBlocked(c: Client): boolean {
  return states.get(c.server)?.waits.has(c) === true;
}

export function blockedCount(server: Server): number {
  return states.get(server)?.waits.size ?? 0;
}

/** INFO clients_in_timeout_table: blocked clients with a deadline. */
export function clientsInTimeoutTable(server: Server): number {
  return states.get(server)?.withTimeout ?? 0;
}

// --- timeouts ---

function armTimer(st: Blocking): void {
  const top = st.heap[0];
  if (top === undefined) {
    if (st.timer !== null) clearTimeout(st.timer);
    st.timer = null;
    return;
  }
  if (st.timer !== null && st.timerAt <= top.deadline) return;
  if (st.timer !== null) clearTimeout(st.timer);
  st.timerAt = top.deadline;
  st.timer = setTimeout(() => fireTimeouts(st), Math.max(0, top.deadline - Date.now()));
  st.timer.unref();
}

function fireTimeouts(st: Blocking): void {
  st.timer = null;
  const now = Date.now();
  for (;;) {
    const top = st.heap[0];
    if (top === undefined || top.deadline > now) break;
    heapPop(st.heap);
    if (st.waits.get(top.c) !== top.w) continue;
    replyTimeout(top.c, top.w);
    endWait(st, top.c, true);
  }
  armTimer(st);
}

function compactHeap(st: Blocking): void {
  const live = st.heap.filter((e) => st.waits.get(e.c) === e.w);
  st.heap = [];
  for (const e of live) heapPush(st.heap, e);
}

function heapPush(h: TimeoutEntry[], e: TimeoutEntry): void {
  h.push(e);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]!.deadline <= e.deadline) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = e;
}

function heapPop(h: TimeoutEntry[]): void {
  const last = h.pop()!;
  if (h.length === 0) return;
  let i = 0;
  const n = h.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const m = r < n && h[r]!.deadline < h[l]!.deadline ? r : l;
    if (h[m]!.deadline >= last.deadline) break;
    h[i] = h[m]!;
    i = m;
  }
  h[i] = last;
}

// Served at the end of every top-level command (processCommand), never inside EXEC or a script;
// then what the command evicted reaches replicas, after everything the command replicated.
gate.afterCommand = (c: Client) => {
  handleReadyKeys(c.server);
  evictorOf(c.server)?.flushDeferred();
};
