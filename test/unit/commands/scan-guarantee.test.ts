// SCAN's guarantee, checked at random: an element present for the whole of an iteration is
// returned at least once, whatever other clients add, update or delete between the calls and
// however many cursors are open at once (more than any per-value iterator cache). Runs SCAN,
// SSCAN, HSCAN and ZSCAN on small encodings (intset, listpack) and large ones, with bursts of
// growth and shrinking in between.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server } from '../../../src/server/server.js';
import type { Client } from '../../../src/server/client.js';
import { processCommand } from '../../../src/commands/dispatch.js';

/** Small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function run(c: Client, argv: string[]): string {
  processCommand(c, argv);
  return Buffer.concat(c.reply.take()).toString('latin1');
}

/** A SCAN-family reply: the next cursor and the items (members only, no CRLF inside). */
function parseScan(reply: string): { cursor: string; items: string[] } {
  const lines = reply.split('\r\n');
  assert.equal(lines[0], '*2', reply);
  const cursor = lines[2]!;
  const n = Number(lines[3]!.slice(1));
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(lines[5 + 2 * i]!);
  return { cursor, items };
}

interface Kind {
  name: string;
  /** The SCAN call for a cursor and COUNT. */
  scan(cursor: string, count: number): string[];
  add(el: string, r: () => number): string[];
  del(el: string): string[];
  /** A write that changes a present element without removing it (score/value/overwrite). */
  touch(el: string, r: () => number): string[];
  /** Elements are every item (SCAN, SSCAN) or every other item (HSCAN, ZSCAN pairs). */
  pairs: boolean;
}

const KEY = 'k';

function kinds(): Kind[] {
  return [
    {
      name: 'SCAN',
      scan: (cur, n) => ['SCAN', cur, 'COUNT', String(n)],
      add: (el) => ['SET', el, 'v'],
      del: (el) => ['DEL', el],
      touch: (el, r) => ['SET', el, String(r())],
      pairs: false,
    },
    {
      name: 'SSCAN',
      scan: (cur, n) => ['SSCAN', KEY, cur, 'COUNT', String(n)],
      add: (el) => ['SADD', KEY, el],
      del: (el) => ['SREM', KEY, el],
      touch: (el) => ['SADD', KEY, el],
      pairs: false,
    },
    {
      name: 'HSCAN',
      scan: (cur, n) => ['HSCAN', KEY, cur, 'COUNT', String(n)],
      add: (el) => ['HSET', KEY, el, 'v'],
      del: (el) => ['HDEL', KEY, el],
      touch: (el, r) => ['HSET', KEY, el, String(r())],
      pairs: true,
    },
    {
      name: 'ZSCAN',
      scan: (cur, n) => ['ZSCAN', KEY, cur, 'COUNT', String(n)],
      add: (el, r) => ['ZADD', KEY, String(Math.floor(r() * 1000)), el],
      del: (el) => ['ZREM', KEY, el],
      // Moving a member's score moves it in score order: a cursor must not depend on that.
      touch: (el, r) => ['ZINCRBY', KEY, String(Math.floor(r() * 2000) - 1000), el],
      pairs: true,
    },
  ];
}

interface Shape {
  label: string;
  /** Element name for number i (integers keep a set an intset). */
  el: (i: number) => string;
  stable: number;
  /** Bounds for the volatile population while growing and shrinking. */
  low: number;
  high: number;
  /** Largest COUNT given. */
  count: number;
}

const SMALL_INT: Shape = {
  label: 'small (intset/listpack)',
  el: (i) => String(i),
  stable: 20,
  low: 0,
  high: 60,
  count: 15,
};
const LARGE: Shape = {
  label: 'large (hashtable/skiplist)',
  el: (i) => `el:${i}`,
  stable: 300,
  low: 50,
  high: 2500,
  count: 100,
};

interface Open {
  cursor: string;
  seen: Set<string>;
  /** The step the iteration began at. */
  start: number;
}

/** One randomized run; returns how many full iterations were checked. */
function check(kind: Kind, shape: Shape, seed: number, steps: number): number {
  const r = rng(seed);
  const server = new Server();
  const writer = server.newClient('127.0.0.1:50000', '127.0.0.1:6379', -1);
  const scanner = server.newClient('127.0.0.1:50001', '127.0.0.1:6379', -1);
  const stable: string[] = [];
  let next = 0;
  for (let i = 0; i < shape.stable; i++) {
    const el = shape.el(next++);
    stable.push(el);
    run(writer, kind.add(el, r));
  }
  // Every present element with the step it was (last) added at: an element is owed to an
  // iteration when it was there before the iteration began and is still there at its end.
  const addedAt = new Map<string, number>();
  for (const el of stable) addedAt.set(el, -1);
  let step = 0;
  const volatile: string[] = [];
  const addVolatile = (): void => {
    const el = shape.el(next++);
    volatile.push(el);
    addedAt.set(el, step);
    run(writer, kind.add(el, r));
  };
  const delVolatile = (): void => {
    const at = Math.floor(r() * volatile.length);
    const el = volatile[at]!;
    volatile[at] = volatile[volatile.length - 1]!;
    volatile.pop();
    addedAt.delete(el);
    run(writer, kind.del(el));
  };
  // More open cursors than any per-value iterator cache holds.
  const open: Open[] = [];
  for (let i = 0; i < 40; i++) open.push({ cursor: '0', seen: new Set(), start: 0 });
  // Volatile elements are interleaved with the stable ones from the start.
  for (let i = 0; i < shape.high / 2; i++) addVolatile();
  let growing = true;
  let finished = 0;
  for (step = 1; step < steps; step++) {
    const roll = r();
    if (roll < 0.5) {
      const o = open[Math.floor(r() * open.length)]!;
      const { cursor, items } = parseScan(run(scanner, kind.scan(o.cursor, 1 + Math.floor(r() * shape.count))));
      for (let i = 0; i < items.length; i += kind.pairs ? 2 : 1) o.seen.add(items[i]!);
      if (cursor === '0') {
        const missing: string[] = [];
        for (const [el, at] of addedAt) if (at < o.start && !o.seen.has(el)) missing.push(el);
        assert.deepEqual(
          missing,
          [],
          `${kind.name} ${shape.label} seed ${seed}: members present all along were not returned`,
        );
        finished++;
        o.cursor = '0';
        o.seen = new Set();
        o.start = step + 1;
      } else {
        o.cursor = cursor;
      }
    } else if (roll < 0.6) {
      run(writer, kind.touch(stable[Math.floor(r() * stable.length)]!, r));
    } else {
      // Bursts: grow to `high` (rehash-sized growth), then shrink to `low`, and again.
      const burst = 1 + Math.floor(r() * (shape.high > 100 ? 120 : 6));
      for (let i = 0; i < burst; i++) {
        if (growing) {
          if (volatile.length >= shape.high) growing = false;
          else addVolatile();
        } else {
          if (volatile.length <= shape.low) growing = true;
          else delVolatile();
        }
      }
      if (r() < 0.3 && volatile.length > shape.low) delVolatile();
    }
  }
  return finished;
}

for (const kind of kinds()) {
  for (const shape of [SMALL_INT, LARGE]) {
    test(`${kind.name} ${shape.label}: elements present all along are returned, with 40 interleaved cursors`, () => {
      let finished = 0;
      for (const seed of [1, 2, 3, 4]) finished += check(kind, shape, seed * 7919 + kind.name.length, 6000);
      // The check above only means something if iterations really completed.
      assert.ok(finished >= 20, `only ${finished} iterations completed`);
    });
  }
}
