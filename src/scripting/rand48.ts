// Redis's portable rand48 (the generator behind math.random in scripts): a 48-bit linear
// congruential generator, so a script sees the same sequence on every platform.

const A = 0x5deece66dn;
const C = 0xbn;
const MASK = (1n << 48n) - 1n;

export class Rand48 {
  private x = 0x1234abcd330en;

  /** The next value in [0, 2^31). */
  next(): number {
    this.x = (A * this.x + C) & MASK;
    return Number(this.x >> 17n);
  }

  seed(v: number): void {
    this.x = ((BigInt(v | 0) & 0xffffffffn) << 16n) | 0x330en;
  }
}
