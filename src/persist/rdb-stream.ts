// Streams in the RDB format. Redis 7.0 writes type 19 (STREAM_LISTPACKS_2): the radix tree of
// listpack nodes (each under its master ID as a 16-byte big-endian key), the stream's counters,
// then every consumer group with its pending entries (ID, delivery time and count) and its
// consumers (seen time, the IDs they own). Types 15 (Redis 5/6: no first/max-deleted IDs, no
// entries-added or entries-read counters) and 21 (Redis 7.2: consumers also carry an active
// time) are read too.
//
// Nodes are written from the stream's record of Redis's node layout (first ID, master fields),
// so a stream built by the same commands gives the same bytes as Redis's DUMP. Redoubt keeps no
// tombstones (XDEL'd entries, entries cut by an exact trim): a node that had some is written
// with its live entries only, which Redis reads back to the same contents and node layout.
//
// Reading checks everything a hostile payload could break: listpack structure and each entry's
// lp-count, the master entry's counters, IDs ascending inside and across nodes and never above
// the last ID, the counters against the entries, unique group and consumer names, and consumer
// PEL IDs present once in their group's PEL, which must have no entry without a consumer. The
// recorded first ID is not kept: Redoubt derives it from the entries.

import { Consumer, Nack, StreamValue, type Fields, type Group, type StreamNode } from '../store/stream.js';
import { ID_ZERO, U64_MAX, makeId } from '../store/stream-id.js';
import { raxKey } from '../store/stream-rax.js';
import type { IdMap } from '../store/stream-idmap.js';
import { RdbFormatError, T, bad } from './rdb-const.js';
import type { RdbIn, RdbOut } from './rdb-io.js';
import { ListpackWriter, canonicalInt, decodeListpack } from './listpack.js';
import { lpIntBytes } from '../store/listpack-size.js';

/** Entry flags inside a node's listpack. */
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;

const I64_MAX = (1n << 63n) - 1n;

/** An RDB length that may need all 64 bits (entries-read -1 is written as 2^64-1). */
function writeLen64(out: RdbOut, n: bigint): void {
  const v = BigInt.asUintN(64, n);
  if (v <= 0xffffffffn) return out.len(Number(v));
  const b = Buffer.allocUnsafe(9);
  b[0] = 0x81;
  b.writeBigUInt64BE(v, 1);
  out.bytes(b);
}

function readLen64(inp: RdbIn): bigint {
  if (inp.remaining > 0 && inp.buf[inp.pos] === 0x81) {
    return inp.take(9).readBigUInt64BE(1);
  }
  return BigInt(inp.len());
}

function writeId(out: RdbOut, id: bigint): void {
  writeLen64(out, id >> 64n);
  writeLen64(out, id & U64_MAX);
}

function readId(inp: RdbIn): bigint {
  const ms = readLen64(inp);
  return makeId(ms, readLen64(inp));
}

/** Milliseconds as Redis's rdbSaveMillisecondTime: 8 bytes little-endian. */
function readMs(inp: RdbIn): number {
  return Number(inp.i64le());
}

function rawId(inp: RdbIn): bigint {
  const b = inp.take(16);
  return makeId(b.readBigUInt64BE(0), b.readBigUInt64BE(8));
}

/** One node's listpack, as streamAppendItem lays it out, with live entries only. */
function nodeListpack(n: StreamNode, entries: readonly [bigint, Fields][]): Buffer {
  const lp = new ListpackWriter();
  lp.append(String(entries.length));
  lp.append('0');
  lp.append(String(n.master.length));
  for (const f of n.master) lp.append(f);
  lp.append('0');
  const baseMs = n.first >> 64n;
  const baseSeq = n.first & U64_MAX;
  for (const [id, fields] of entries) {
    const nf = fields.length / 2;
    const same = sameFields(n.master, fields);
    lp.append(String(same ? FLAG_SAMEFIELDS : 0));
    lp.append(String(BigInt.asIntN(64, (id >> 64n) - baseMs)));
    lp.append(String(BigInt.asIntN(64, (id & U64_MAX) - baseSeq)));
    if (same) {
      for (let i = 1; i < fields.length; i += 2) lp.append(fields[i]!);
      lp.append(String(nf + 3));
    } else {
      lp.append(String(nf));
      for (const f of fields) lp.append(f);
      lp.append(String(2 * nf + 4));
    }
  }
  return lp.finish();
}

function sameFields(master: Fields, fields: Fields): boolean {
  if (master.length * 2 !== fields.length) return false;
  for (let i = 0; i < master.length; i++) if (master[i] !== fields[2 * i]) return false;
  return true;
}

function writePel(out: RdbOut, pel: IdMap<Nack>, withNacks: boolean): void {
  out.len(pel.size);
  for (const [id, nack] of pel.entries()) {
    out.bytes(raxKey(id));
    if (!withNacks) continue;
    out.u64le(BigInt(nack.deliveryTime));
    out.len(nack.deliveryCount);
  }
}

function writeGroup(out: RdbOut, name: string, g: Group): void {
  out.string(name);
  writeId(out, g.lastId);
  writeLen64(out, g.entriesRead);
  writePel(out, g.pel, true);
  const cs = g.sortedConsumers();
  out.len(cs.length);
  for (const c of cs) {
    out.string(c.name);
    out.u64le(BigInt(c.seenTime));
    writePel(out, c.pel, false);
  }
}

/** Writes a stream value as type 19 (the type byte is the caller's). */
export function writeStream(out: RdbOut, s: StreamValue): void {
  const nodes = s.nodeRecords();
  const all = [...s.entries.entries()];
  out.len(nodes.length);
  let at = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const next = nodes[i + 1];
    const start = at;
    while (at < all.length && (next === undefined || all[at]![0] < next.first)) at++;
    out.string(n.key);
    out.string(nodeListpack(n, all.slice(start, at)));
  }
  out.len(s.length);
  writeId(out, s.lastId);
  writeId(out, s.firstId);
  writeId(out, s.maxDeletedId);
  writeLen64(out, s.entriesAdded);
  const groups = s.sortedGroups();
  out.len(groups.length);
  for (const [name, g] of groups) writeGroup(out, name, g);
}

/** A listpack element that must be an integer. */
function int(x: string | undefined): bigint {
  if (x === undefined) bad('stream listpack ends early');
  const v = canonicalInt(x);
  if (v === null) bad('stream listpack integer expected');
  return v;
}

/** A non-negative count in a listpack, bounded by what is left of it. */
function count(x: string | undefined, left: number): number {
  const v = int(x);
  if (v < 0n || v > BigInt(left)) bad('bad stream listpack count');
  return Number(v);
}

interface DecodedNode {
  record: StreamNode;
  entries: [bigint, Fields][];
}

/** Decodes and checks one node; `after` is the previous node's last ID (entries must pass it). */
function decodeNode(master: bigint, lp: Buffer, after: bigint | null): DecodedNode {
  const el = decodeListpack(lp);
  if (el.length === 0) bad('empty listpack inside stream');
  let p = 0;
  const live = count(el[p++], el.length);
  const deleted = count(el[p++], el.length);
  const nMaster = count(el[p++], el.length - p);
  const masterFields = el.slice(p, p + nMaster);
  p += nMaster;
  if (int(el[p++]) !== 0n) bad('bad master entry terminator');
  const baseMs = master >> 64n;
  const baseSeq = master & U64_MAX;
  const entries: [bigint, Fields][] = [];
  let seenLive = 0;
  let seenDeleted = 0;
  let prev = after;
  let last = master;
  while (p < el.length) {
    const flags = int(el[p++]);
    if (flags < 0n || flags > 3n) bad('bad stream entry flags');
    const ms = BigInt.asUintN(64, baseMs + int(el[p++]));
    const seq = BigInt.asUintN(64, baseSeq + int(el[p++]));
    const id = makeId(ms, seq);
    if (id < master || (prev !== null && id <= prev)) bad('stream entry IDs out of order');
    prev = id;
    last = id;
    const fields: Fields = [];
    let expected: number;
    if ((flags & BigInt(FLAG_SAMEFIELDS)) !== 0n) {
      if (p + nMaster > el.length) bad('stream entry ends early');
      for (let i = 0; i < nMaster; i++) fields.push(masterFields[i]!, el[p++]!);
      expected = nMaster + 3;
    } else {
      const nf = count(el[p++], (el.length - p) >> 1);
      for (let i = 0; i < 2 * nf; i++) fields.push(el[p++]!);
      expected = 2 * nf + 4;
    }
    if (fields.length === 0) bad('stream entry without fields');
    if (int(el[p++]) !== BigInt(expected)) bad('bad stream entry lp-count');
    if ((flags & BigInt(FLAG_DELETED)) !== 0n) seenDeleted++;
    else {
      seenLive++;
      entries.push([id, fields]);
    }
  }
  if (seenLive !== live || seenDeleted !== deleted) bad('stream node counters do not match its entries');
  if (live === 0) bad('stream node without live entries');
  const record: StreamNode = {
    first: master,
    last,
    total: live + deleted,
    live,
    bytes: lp.length - lpIntBytes(BigInt(live)) - lpIntBytes(BigInt(deleted)),
    master: masterFields,
    closed: true,
    prealloc: 0,
    key: raxKey(master),
  };
  return { record, entries };
}

/** decodeNode, its failures worded as Redis logs them (the conformance suite greps the log). */
function checkedNode(master: bigint, lp: Buffer, after: bigint | null): DecodedNode {
  try {
    return decodeNode(master, lp, after);
  } catch (err) {
    if (err instanceof RdbFormatError) bad(`Stream listpack integrity check failed: ${err.message}`);
    throw err;
  }
}

function readNodes(inp: RdbIn, s: StreamValue): StreamNode[] {
  const n = inp.count(2);
  const nodes: StreamNode[] = [];
  let prevLast: bigint | null = null;
  for (let i = 0; i < n; i++) {
    const key = inp.bytesString();
    if (key.length !== 16) bad('stream node key is not the size of a stream ID');
    const master = makeId(key.readBigUInt64BE(0), key.readBigUInt64BE(8));
    if (prevLast !== null && master <= prevLast) bad('stream nodes out of order');
    const d = checkedNode(master, inp.bytesString(), prevLast);
    for (const [id, f] of d.entries) s.entries.set(id, f);
    nodes.push(d.record);
    prevLast = d.record.last;
  }
  return nodes;
}

/** entries-read: -1 (unknown) or a non-negative long long. */
function entriesRead(v: bigint): bigint {
  if (v === U64_MAX) return -1n;
  if (v > I64_MAX) bad('bad consumer group entries-read');
  return v;
}

function readGroups(inp: RdbIn, s: StreamValue, t: number): void {
  const ng = inp.count(3);
  for (let i = 0; i < ng; i++) {
    const name = inp.string();
    const lastId = readId(inp);
    const read = t === T.STREAM_LISTPACKS ? s.estimateDistance(lastId) : entriesRead(readLen64(inp));
    const g = s.createGroup(name, lastId, read);
    if (g === undefined) bad('duplicate consumer group name');
    const np = inp.count(16 + 8 + 1);
    for (let j = 0; j < np; j++) {
      const id = rawId(inp);
      const time = readMs(inp);
      const deliveries = readLen64(inp);
      if (deliveries > BigInt(Number.MAX_SAFE_INTEGER)) bad('delivery count too large');
      if (!g.pel.set(id, new Nack(null, time, Number(deliveries)))) bad('duplicate group PEL entry');
    }
    readConsumers(inp, g, t);
    for (const [, nack] of g.pel.entries()) if (nack.consumer === null) bad('group PEL entry without consumer');
  }
}

function readConsumers(inp: RdbIn, g: Group, t: number): void {
  const nc = inp.count(10);
  for (let i = 0; i < nc; i++) {
    const name = inp.string();
    const seen = readMs(inp);
    if (t === T.STREAM_LISTPACKS_3) readMs(inp); // active time: Redis 7.2 only
    if (g.consumers.has(name)) bad('Duplicate stream consumer detected');
    const c = new Consumer(name, seen);
    g.consumers.set(name, c);
    const np = inp.count(16);
    for (let j = 0; j < np; j++) {
      const id = rawId(inp);
      const nack = g.pel.get(id);
      if (nack === undefined) bad('consumer PEL entry not in the group PEL');
      if (nack.consumer !== null) bad('PEL entry owned twice');
      nack.consumer = c;
      c.pel.set(id, nack);
    }
  }
}

/** Reads a stream of type 15, 19 or 21 (the type byte already consumed). */
export function readStream(inp: RdbIn, t: number): StreamValue {
  const s = new StreamValue();
  const nodes = readNodes(inp, s);
  const length = inp.len();
  if (length !== s.entries.size) bad('stream length does not match its entries');
  const lastId = readId(inp);
  const lastEntry = nodes.length === 0 ? ID_ZERO : nodes[nodes.length - 1]!.last;
  if (lastEntry > lastId) bad('stream entry above the last ID');
  s.lastId = lastId;
  if (t === T.STREAM_LISTPACKS) {
    s.entriesAdded = BigInt(length);
  } else {
    readId(inp); // the first entry's ID: Redoubt derives it from the entries
    const maxDeleted = readId(inp);
    if (maxDeleted > lastId) bad('stream max deleted ID above the last ID');
    s.maxDeletedId = maxDeleted;
    s.entriesAdded = readLen64(inp);
    if (s.entriesAdded < BigInt(length) || s.entriesAdded > I64_MAX) bad('bad stream entries-added');
  }
  s.restoreNodes(nodes);
  readGroups(inp, s, t);
  return s;
}
