// How many nodes Redis's radix tree (rax) has when it holds a given set of stream IDs, for
// XINFO STREAM's radix-tree-nodes and the MEMORY USAGE estimate. IDs are 16-byte big-endian
// keys; Redis's rax keeps a non-branching run of bytes in one compressed node, gives every
// branching point a node whose children each start a new node, and ends every key in an
// empty leaf node. For keys of equal length that shape is canonical, so it can be counted
// from the sorted keys alone.

const KEY_LEN = 16;

const U64 = (1n << 64n) - 1n;

/** The 16-byte big-endian key Redis stores an ID under. */
export function raxKey(id: bigint): Uint8Array {
  const b = new Uint8Array(KEY_LEN);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, id >> 64n);
  dv.setBigUint64(8, id & U64);
  return b;
}

/** Nodes of the rax holding `keys` (raxKey form, sorted ascending, distinct). An empty rax has its root. */
export function raxNodeCount(keys: readonly Uint8Array[]): number {
  if (keys.length === 0) return 1;
  return count(keys, 0, keys.length, 0);
}

function count(keys: readonly Uint8Array[], lo: number, hi: number, depth: number): number {
  if (hi - lo === 1) return depth < KEY_LEN ? 2 : 1;
  // Sorted keys: the common prefix of the first and last is everyone's.
  const a = keys[lo]!;
  const z = keys[hi - 1]!;
  let d = depth;
  while (a[d] === z[d]) d++;
  let n = (d > depth ? 1 : 0) + 1;
  let start = lo;
  for (let i = lo + 1; i <= hi; i++) {
    if (i === hi || keys[i]![d] !== keys[start]![d]) {
      n += count(keys, start, i, d + 1);
      start = i;
    }
  }
  return n;
}
