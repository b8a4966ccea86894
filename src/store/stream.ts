// The stream value: entries ordered by ID, the stream's counters (last ID, entries added,
// largest deleted ID), and its consumer groups with their pending-entries lists.
//
// Entries live in an IdMap (O(log n) seek, O(1) append) and XDEL really removes them, so
// XLEN is the map's size. Redis groups entries into listpack nodes, and approximate trimming
// (MAXLEN ~ / MINID ~) removes whole nodes only, so the visible result depends on where node
// boundaries fall. `nodes` keeps exactly that bookkeeping: one record per Redis node with its
// first and last appended IDs, how many entries it ever held (deleted ones included, as a
// listpack keeps tombstones) and how many are still live.

import { createHash } from 'node:crypto';
import { IdMap } from './stream-idmap.js';
import { ID_MAX, ID_ZERO, U64_MAX, formatId } from './stream-id.js';
import { allocSize } from '../protocol/querybuf.js';
import { raxKey, raxNodeCount } from './stream-rax.js';
import { lpIntBytes, lpStrBytes } from './listpack-size.js';

/** An entry's fields and values, interleaved. */
export type Fields = string[];

/** One Redis listpack node, for trimming, node counts and memory figures (and RDB files). */
export interface StreamNode {
  first: bigint;
  last: bigint;
  /** Entries appended to the node, deleted ones included. */
  total: number;
  live: number;
  /** The listpack's size in bytes (estimated from Redis's encoding) minus the two counters. */
  bytes: number;
  /** The master entry's field names: entries with the same fields store values only. */
  master: Fields;
  /** Closed nodes are shrunk to fit; the open one keeps its preallocation. */
  closed: boolean;
  prealloc: number;
  /** first as a radix tree key. */
  key: Uint8Array;
}

/** Listpack header and end byte. */
const LP_OVERHEAD = 7;
/** A listpack node never grows past this (STREAM_LISTPACK_MAX_SIZE). */
const LP_MAX = 1 << 30;
/** What a new node's listpack is preallocated with (STREAM_LISTPACK_MAX_PRE_ALLOCATE). */
const LP_PREALLOC = 4096;

/** The node's listpack size: its elements plus the live and deleted counters. */
function lpBytes(n: StreamNode): number {
  return n.bytes + lpIntBytes(BigInt(n.live)) + lpIntBytes(BigInt(n.total - n.live));
}

function sameFields(master: Fields, fields: Fields): boolean {
  if (master.length * 2 !== fields.length) return false;
  for (let i = 0; i < master.length; i++) if (master[i] !== fields[2 * i]) return false;
  return true;
}

/** Bytes one entry adds to a node whose master entry is `master`, based at masterId. */
function entryBytes(n: StreamNode, id: bigint, fields: Fields): number {
  const msDiff = (id >> 64n) - (n.first >> 64n);
  const seqDiff = (id & U64_MAX) - (n.first & U64_MAX);
  // flags, ms-diff, seq-diff, ... , lp-count
  let b = 2 + lpIntBytes(msDiff) + lpIntBytes(seqDiff) + 2;
  if (sameFields(n.master, fields)) {
    for (let i = 1; i < fields.length; i += 2) b += lpStrBytes(fields[i]!);
  } else {
    b += lpIntBytes(BigInt(fields.length / 2));
    for (const f of fields) b += lpStrBytes(f);
  }
  return b;
}

function newNode(id: bigint, fields: Fields, prealloc: number): StreamNode {
  const master: Fields = [];
  for (let i = 0; i < fields.length; i += 2) master.push(fields[i]!);
  // Master entry: count and deleted (see lpBytes), number of fields, the fields, terminator.
  let bytes = LP_OVERHEAD + lpIntBytes(BigInt(master.length)) + 2;
  for (const f of master) bytes += lpStrBytes(f);
  return { first: id, last: id, total: 0, live: 0, bytes, master, closed: false, prealloc, key: raxKey(id) };
}

/** The group's counter of entries read is unknown. */
export const INVALID_READ = -1n;

/** A pending entry: delivered to a consumer, not acknowledged yet. */
export class Nack {
  constructor(
    public consumer: Consumer | null,
    public deliveryTime: number,
    public deliveryCount: number,
  ) {}
}

export class Consumer {
  readonly pel = new IdMap<Nack>();
  constructor(
    readonly name: string,
    public seenTime: number,
  ) {}
}

export class Group {
  readonly pel = new IdMap<Nack>();
  readonly consumers = new Map<string, Consumer>();
  constructor(
    public lastId: bigint,
    public entriesRead: bigint,
  ) {}

  /** Consumers in name order (Redis keeps them in a radix tree). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Removes a consumer and its pending entries from the group. */
  deleteConsumer(c: Consumer): void {
    for (const [id] of c.pel.entries()) this.pel.delete(id);
    this.consumers.delete(c.name);
  }
}

/** StreamNode limits (stream-node-max-entries / -bytes; 0 = unlimited). */
export interface NodeLimits {
  entries: number;
  bytes: number;
}

export interface TrimArgs {
  strategy: 'maxlen' | 'minid';
  maxlen: number;
  minid: bigint;
  approx: boolean;
  /** Most entries to remove (0 = no limit). */
  limit: number;
}

export class StreamValue {
  readonly entries = new IdMap<Fields>();
  private nodes: StreamNode[] = [];
  /** Cached radix tree node count; -1 after the node list changed. */
  private raxNodes = -1;

  /** The listpack node records, in order (the RDB writer serialises node by node). */
  nodeRecords(): readonly StreamNode[] {
    return this.nodes;
  }

  /** Replaces the node records with those read from an RDB file or DUMP payload. */
  restoreNodes(nodes: StreamNode[]): void {
    this.nodes = nodes;
    this.raxNodes = -1;
  }
  lastId = ID_ZERO;
  maxDeletedId = ID_ZERO;
  entriesAdded = 0n;
  groups: Map<string, Group> | null = null;

  get length(): number {
    return this.entries.size;
  }

  /** Recorded first entry ID: the first live entry, 0-0 when empty. */
  get firstId(): bigint {
    return this.entries.firstKey() ?? ID_ZERO;
  }

  /** The last live entry's ID (0-0 when empty): streamLastValidID. */
  lastValidId(): bigint {
    return this.entries.lastKey() ?? ID_ZERO;
  }

  encoding(): string {
    return 'stream';
  }

  /** Appends an entry whose ID is above lastId (checked by the caller). */
  append(id: bigint, fields: Fields, lim: NodeLimits): void {
    this.entries.set(id, fields);
    let tail: StreamNode | undefined = this.nodes[this.nodes.length - 1];
    if (tail !== undefined && this.nodeFull(tail, fields, lim)) {
      tail.closed = true;
      tail = undefined;
    }
    if (tail === undefined) {
      tail = newNode(id, fields, lim.bytes > 0 && lim.bytes < LP_PREALLOC ? lim.bytes : LP_PREALLOC);
      this.nodes.push(tail);
      this.raxNodes = -1;
    }
    tail.bytes += entryBytes(tail, id, fields);
    tail.last = id;
    tail.total++;
    tail.live++;
    this.lastId = id;
    this.entriesAdded++;
  }

  /** Redis's test for starting a new node: byte size (with the raw lengths) or entry count. */
  private nodeFull(n: StreamNode, fields: Fields, lim: NodeLimits): boolean {
    let raw = 0;
    for (const f of fields) raw += f.length;
    const maxBytes = lim.bytes === 0 || lim.bytes > LP_MAX ? LP_MAX : lim.bytes;
    if (lpBytes(n) + raw >= maxBytes) return true;
    return lim.entries > 0 && n.total >= lim.entries;
  }

  private nodeIndex(id: bigint): number {
    const ns = this.nodes;
    let lo = 0;
    let hi = ns.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (ns[mid]!.first <= id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** XDEL of one ID: true when it was there. */
  delete(id: bigint): boolean {
    if (this.entries.delete(id) === undefined) return false;
    const ni = this.nodeIndex(id);
    const n = this.nodes[ni]!;
    if (--n.live === 0) {
      this.nodes.splice(ni, 1);
      this.raxNodes = -1;
    }
    if (id > this.maxDeletedId) this.maxDeletedId = id;
    return true;
  }

  /** streamTrim: removes entries by MAXLEN or MINID; returns how many. */
  trim(a: TrimArgs): number {
    const ns = this.nodes;
    let len = this.length;
    let deleted = 0;
    // Whole nodes first (removed in one go below), then possibly part of the next one.
    let whole = 0;
    let partial = 0;
    while (whole < ns.length) {
      if (a.strategy === 'maxlen' && len <= a.maxlen) break;
      const n = ns[whole]!;
      if (a.limit > 0 && deleted + n.live > a.limit) break;
      const all = a.strategy === 'maxlen' ? len - n.live >= a.maxlen : n.last < a.minid;
      if (all) {
        len -= n.live;
        deleted += n.live;
        whole++;
        continue;
      }
      if (a.approx) break;
      // Entries of this node are marked deleted, oldest first, until the condition holds.
      if (a.strategy === 'maxlen') partial = len - a.maxlen;
      else {
        const first = ns[whole]!.first;
        partial = a.minid > first ? this.entries.range(first, a.minid - 1n, n.live).length : 0;
      }
      deleted += partial;
      break;
    }
    if (deleted === 0) return 0;
    this.entries.dropFirst(deleted);
    if (whole > 0) {
      ns.splice(0, whole);
      this.raxNodes = -1;
    }
    if (partial > 0) ns[0]!.live -= partial;
    return deleted;
  }

  /** Number of Redis listpack nodes (XINFO radix-tree-keys). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Nodes of Redis's radix tree over the listpack nodes (XINFO radix-tree-nodes). */
  get raxNodeCount(): number {
    if (this.raxNodes < 0) this.raxNodes = raxNodeCount(this.nodes.map((n) => n.key));
    return this.raxNodes;
  }

  group(name: string): Group | undefined {
    return this.groups?.get(name);
  }

  /** Groups in name order. */
  sortedGroups(): [string, Group][] {
    if (this.groups === null) return [];
    return [...this.groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** streamCreateCG: undefined when the name is taken. */
  createGroup(name: string, lastId: bigint, entriesRead: bigint): Group | undefined {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return undefined;
    const g = new Group(lastId, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  /** True when an XDEL'd ID may lie in [start, end] (streamRangeHasTombstones). */
  rangeHasTombstones(start: bigint, end: bigint = ID_MAX): boolean {
    if (this.length === 0 || this.maxDeletedId === ID_ZERO) return false;
    return start <= this.maxDeletedId && this.maxDeletedId <= end;
  }

  /** streamEstimateDistanceFromFirstEverEntry: the entries-read counter for id, or -1. */
  estimateDistance(id: bigint): bigint {
    if (this.entriesAdded === 0n) return 0n;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return INVALID_READ;
    const first = this.firstId;
    if (this.maxDeletedId === ID_ZERO || this.maxDeletedId < first) {
      if (id < first) return this.entriesAdded - BigInt(this.length);
      if (id === first) return this.entriesAdded - BigInt(this.length) + 1n;
    }
    return INVALID_READ;
  }

  /** The group's lag, or null when it cannot be known (streamReplyWithCGLag). */
  lag(g: Group): bigint | null {
    if (this.entriesAdded === 0n) return 0n;
    if (g.entriesRead !== INVALID_READ && !this.rangeHasTombstones(g.lastId)) return this.entriesAdded - g.entriesRead;
    const read = this.estimateDistance(g.lastId);
    return read === INVALID_READ ? null : this.entriesAdded - read;
  }

  /** COPY: a deep copy, groups and pending entries included. */
  clone(): StreamValue {
    const s = new StreamValue();
    for (const [id, f] of this.entries.entries()) s.entries.set(id, f);
    s.nodes = this.nodes.map((n) => ({ ...n }));
    s.lastId = this.lastId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      s.groups = new Map();
      for (const [name, g] of this.groups) {
        const ng = new Group(g.lastId, g.entriesRead);
        const byOld = new Map<Consumer, Consumer>();
        for (const [cn, c] of g.consumers) {
          const nc = new Consumer(cn, c.seenTime);
          byOld.set(c, nc);
          ng.consumers.set(cn, nc);
        }
        for (const [id, nack] of g.pel.entries()) {
          const owner = nack.consumer === null ? null : (byOld.get(nack.consumer) ?? null);
          const nn = new Nack(owner, nack.deliveryTime, nack.deliveryCount);
          ng.pel.set(id, nn);
          owner?.pel.set(id, nn);
        }
        s.groups.set(name, ng);
      }
    }
    return s;
  }

  /** DEBUG DIGEST-VALUE: entries in order, then the counters. */
  digest(): Buffer {
    const h = createHash('sha1');
    for (const [id, f] of this.entries.entries()) {
      h.update(formatId(id) + '\0');
      for (const x of f) h.update(`${x.length}:`).update(Buffer.from(x, 'latin1'));
    }
    h.update(`${formatId(this.lastId)}|${this.entriesAdded}|${formatId(this.maxDeletedId)}`);
    return h.digest();
  }

  /**
   * MEMORY USAGE estimate, after Redis's objectComputeSize: the stream and radix tree, the
   * allocated size of the first `samples` listpacks averaged over all but the last one, the
   * last one (still preallocated while open), and the groups' pending entries and consumers.
   */
  memoryUsage(samples: number): number {
    const ns = this.nodes;
    let bytes = STREAM_BASE + raxBytes(ns.length, this.raxNodeCount);
    const k = samples === 0 ? ns.length : Math.min(samples, ns.length);
    let sampled = 0;
    for (let i = 0; i < k; i++) sampled += nodeAlloc(ns[i]!);
    if (ns.length <= k) bytes += sampled;
    else bytes += Math.floor(sampled / k) * (ns.length - 1) + nodeAlloc(ns[ns.length - 1]!);
    if (this.groups !== null) {
      for (const g of this.groups.values()) {
        bytes += GROUP + pelBytes(g.pel) + NACK * g.pel.size;
        // NACKs are shared with the group's list: counted once.
        for (const c of g.consumers.values()) bytes += CONSUMER + c.name.length + pelBytes(c.pel);
      }
    }
    return bytes;
  }
}

/** robj and stream struct. */
const STREAM_BASE = 16 + 80;
const GROUP = 40;
const NACK = 24;
const CONSUMER = 24;
/** Pending lists up to this size get their radix tree counted exactly; larger ones estimated. */
const EXACT_PEL = 256;

function pelBytes(pel: IdMap<Nack>): number {
  const n = pel.size;
  const nodes = n <= EXACT_PEL ? raxNodeCount([...pel.entries()].map(([id]) => raxKey(id))) : Math.round(2.5 * n);
  return raxBytes(n, nodes);
}

/** Redis's streamRadixTreeMemoryUsage: per key an ID, per node the node and a fixed overhead. */
function raxBytes(keys: number, nodes: number): number {
  return keys * 16 + nodes * (4 + 240);
}

function nodeAlloc(n: StreamNode): number {
  const b = lpBytes(n);
  return n.closed ? allocSize(b) : allocSize(Math.max(b, n.prealloc));
}
