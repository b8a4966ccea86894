// The byte sizes of listpack elements, as Redis encodes them: shared by the stream node layout
// (which mirrors Redis's nodes for trimming and MEMORY USAGE) and the RDB listpack writer.

/** Bytes of the back-length that follows an element body of l bytes (lpEncodeBacklen). */
export function lpBacklenBytes(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** Bytes of an integer element (encoding plus back-length). */
export function lpIntBytes(v: bigint): number {
  if (v >= 0n && v <= 127n) return 2;
  if (v >= -4096n && v <= 4095n) return 3;
  if (v >= -32768n && v <= 32767n) return 4;
  if (v >= -8388608n && v <= 8388607n) return 5;
  if (v >= -2147483648n && v <= 2147483647n) return 6;
  return 10;
}

const LP_INT = /^(?:0|-?[1-9][0-9]{0,19})$/;

/** Bytes of a string element: stored as an integer when it reads as a 64-bit one. */
export function lpStrBytes(x: string): number {
  if (x.length <= 20 && LP_INT.test(x)) {
    const v = BigInt(x);
    if (v >= -(1n << 63n) && v < 1n << 63n) return lpIntBytes(v);
  }
  const n = x.length;
  const body = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return body + lpBacklenBytes(body);
}
