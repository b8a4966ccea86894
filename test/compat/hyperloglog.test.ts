// HyperLogLog commands compared byte for byte with redis-server (values via GET as well).
import { compatSuite } from './compat.js';

const nums = (a: number, b: number, p = ''): string[] => Array.from({ length: b - a + 1 }, (_, i) => p + (a + i));

/** Deterministic pseudo-random elements (binary, of varied lengths) for differential runs. */
function randomBatches(seed: number, batches: number, maxBatch: number): string[][] {
  let x = seed;
  const next = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 8;
  };
  const out: string[][] = [];
  for (let b = 0; b < batches; b++) {
    const batch: string[] = [];
    const n = 1 + (next() % maxBatch);
    for (let i = 0; i < n; i++) {
      const len = next() % 20;
      let s = '';
      for (let j = 0; j < len; j++) s += String.fromCharCode(next() & 255);
      batch.push(s);
    }
    out.push(batch);
  }
  return out;
}

function sparseFuzz(seed: number, maxBytes: string): (string | Buffer)[][] {
  const script: (string | Buffer)[][] = [['CONFIG', 'SET', 'hll-sparse-max-bytes', maxBytes]];
  for (const batch of randomBatches(seed, 40, 30)) {
    script.push(['PFADD', 'r', ...batch.map((e) => Buffer.from(e, 'latin1'))], ['GET', 'r']);
  }
  script.push(['PFCOUNT', 'r'], ['PFDEBUG', 'ENCODING', 'r'], ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']);
  return script;
}

compatSuite('hyperloglog', {
  'randomized sparse edits (default limit)': sparseFuzz(1, '3000'),
  'randomized sparse edits (small limit)': sparseFuzz(7, '400'),
  'randomized sparse edits (large limit)': sparseFuzz(42, '20000'),
  'sparse values and counts': [
    ['PFADD', 'h'],
    ['GET', 'h'],
    ['PFADD', 'h', 'a', 'b', 'c', ''],
    ['GET', 'h'],
    ['PFCOUNT', 'h'],
    ['GET', 'h'],
    ['PFADD', 'h', ...nums(1, 400)],
    ['PFDEBUG', 'DECODE', 'h'],
    ['GET', 'h'],
    ['PFCOUNT', 'h'],
  ],
  'promotion to dense': [
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '300'],
    ['PFADD', 'h', ...nums(1, 60, 'x')],
    ['PFDEBUG', 'ENCODING', 'h'],
    ['PFADD', 'h', ...nums(61, 200, 'x')],
    ['PFDEBUG', 'ENCODING', 'h'],
    ['GET', 'h'],
    ['PFCOUNT', 'h'],
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'],
    ['PFADD', 'big', ...nums(1, 20000)],
    ['PFCOUNT', 'big'],
    ['GET', 'big'],
  ],
  merge: [
    ['PFADD', 'a', ...nums(1, 300)],
    ['PFADD', 'b', ...nums(200, 600)],
    ['PFCOUNT', 'a', 'b', 'nokey'],
    ['PFMERGE', 'd', 'a', 'b'],
    ['GET', 'd'],
    ['PFDEBUG', 'TODENSE', 'b'],
    ['PFMERGE', 'e', 'a', 'b'],
    ['GET', 'e'],
    ['PFMERGE', 'a', 'b'],
    ['GET', 'a'],
    ['PFCOUNT', 'a'],
  ],
  errors: [
    ['SET', 's', 'not an hll'],
    ['PFADD', 's', 'x'],
    ['PFCOUNT', 's', 'x'],
    ['PFMERGE', 's', 'x'],
    ['PFADD', 'h', 'a', 'b'],
    ['APPEND', 'h', 'junk'],
    ['PFCOUNT', 'h'],
    ['PFDEBUG', 'GETREG', 'nokey'],
    ['PFDEBUG', 'bogus', 's'],
    ['SET', 'h2', 'HYLL'],
    ['PFCOUNT', 'h2'],
  ],
});
