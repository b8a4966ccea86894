// LOLWUT [VERSION v] [...]: Redis's computer art. 7.0 answers its own version line; VERSION 5
// draws Georg Nees's "Schotter" in braille dots, VERSION 6 a city skyline in terminal grays.
// The drawings are random, as in Redis; their geometry follows Redis's integer and
// single-precision float arithmetic, so the parts that are not random match it dot for dot.

import type { CommandImpls } from './types.js';
import type { Client } from '../server/client.js';
import { parseInt64 } from './args.js';
import { E } from '../protocol/errors.js';
import { REDIS_VERSION } from '../server/version.js';

/** A uniform value in [0, 1], like `(float)rand() / RAND_MAX`. */
export type Random = () => number;

const f32 = Math.fround;
/** C round(): halves go away from zero. */
const cRound = (v: number): number => (v < 0 ? -Math.round(-v) : Math.round(v));
/** rand() % n for a positive n. */
const randMod = (rand: Random, n: number): number => Math.min(n - 1, Math.floor(rand() * n));

/** A grid of small integers (dot on/off, or a gray level); writes outside it are dropped. */
export class Canvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background = 0,
  ) {
    this.pixels = new Uint8Array(width * height).fill(background);
  }

  set(x: number, y: number, color: number): void {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return;
    this.pixels[x + y * this.width] = color;
  }

  get(x: number, y: number): number {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return 0;
    return this.pixels[x + y * this.width]!;
  }

  /** Bresenham's line from (x1, y1) to (x2, y2), both ends included. */
  line(x1: number, y1: number, x2: number, y2: number, color: number): void {
    const dx = Math.abs(x2 - x1);
    const dy = Math.abs(y2 - y1);
    const sx = x1 < x2 ? 1 : -1;
    const sy = y1 < y2 ? 1 : -1;
    let err = dx - dy;
    for (;;) {
      this.set(x1, y1, color);
      if (x1 === x2 && y1 === y2) return;
      const e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }

  /** The outline of a square of side `size` centred on (x, y), turned by `angle` radians. */
  square(x: number, y: number, size: number, angle: number, color: number): void {
    // The corners lie on the circle through them, a quarter turn apart.
    const r = f32(cRound(f32(size / 1.4142135623)));
    const px: number[] = [];
    const py: number[] = [];
    let k = f32(Math.PI / 4 + angle);
    for (let j = 0; j < 4; j++) {
      px.push(cRound(Math.sin(k) * r + x));
      py.push(cRound(Math.cos(k) * r + y));
      k = f32(k + Math.PI / 2);
    }
    for (let j = 0; j < 4; j++) this.line(px[j]!, py[j]!, px[(j + 1) % 4]!, py[(j + 1) % 4]!, color);
  }
}

/** Rows of squares that turn and drift more the lower they are; `cols` terminal columns wide. */
export function schotter(cols: number, perRow: number, perCol: number, rand: Random = Math.random): Canvas {
  const width = cols * 2;
  const padding = width > 4 ? 2 : 0;
  const side = f32(f32(width - padding * 2) / f32(perRow));
  const height = Math.trunc(f32(f32(side * perCol) + padding * 2));
  const canvas = new Canvas(width, height);
  const signed = (v: number): number => (randMod(rand, 2) === 1 ? -v : v);
  for (let y = 0; y < perCol; y++) {
    for (let x = 0; x < perRow; x++) {
      let sx = Math.trunc(f32(f32(f32(x * side) + f32(side / 2)) + padding));
      let sy = Math.trunc(f32(f32(f32(y * side) + f32(side / 2)) + padding));
      let angle = 0;
      if (y > 1) {
        const r1 = f32(f32(f32(rand()) / perCol) * y);
        const r2 = f32(f32(f32(rand()) / perCol) * y);
        const r3 = f32(f32(f32(rand()) / perCol) * y);
        angle = signed(r1);
        sx = Math.trunc(f32(sx + f32(f32(signed(r2) * side) / 3)));
        sy = Math.trunc(f32(sy + f32(f32(signed(r3) * side) / 3)));
      }
      canvas.square(sx, sy, side, angle, 1);
    }
  }
  return canvas;
}

/**
 * Each 2x4 block of dots as one braille character (U+2800 + its dot bits), rows of blocks
 * separated by newlines.
 */
export function brailleText(canvas: Canvas): string {
  let out = '';
  // Dot bit order of the braille block: left column top-down 0 1 2 6, right column 3 4 5 7.
  const bits: [number, number, number][] = [
    [0, 0, 0x01],
    [0, 1, 0x02],
    [0, 2, 0x04],
    [1, 0, 0x08],
    [1, 1, 0x10],
    [1, 2, 0x20],
    [0, 3, 0x40],
    [1, 3, 0x80],
  ];
  for (let y = 0; y < canvas.height; y += 4) {
    for (let x = 0; x < canvas.width; x += 2) {
      let code = 0x2800;
      for (const [dx, dy, bit] of bits) if (canvas.get(x + dx, y + dy) !== 0) code |= bit;
      out += String.fromCharCode(code);
    }
    if (y !== canvas.height - 1) out += '\n';
  }
  return out;
}

interface Tower {
  xoff: number;
  width: number;
  height: number;
  windows: boolean;
  color: number;
}

/** One building standing on the bottom row; the roof is two pixels narrower on each side. */
function tower(canvas: Canvas, t: Tower, rand: Random): void {
  const bottom = canvas.height - 1;
  const top = bottom - t.height + 1;
  for (let y = bottom; y >= top; y--) {
    for (let x = t.xoff; x < t.xoff + t.width; x++) {
      if (y === top && (x <= t.xoff + 1 || x >= t.xoff + t.width - 2)) continue;
      let color = t.color;
      if (t.windows && x > t.xoff + 1 && x < t.xoff + t.width - 2 && y > top + 1 && y < bottom - 1) {
        const relx = x - (t.xoff + 1);
        const rely = y - (top + 1);
        // Windows are two pixels wide and one tall (terminal cells are tall), in either gray.
        if (Math.trunc(relx / 2) % 2 !== 0 && rely % 2 !== 0) {
          do color = 1 + randMod(rand, 2);
          while (color === t.color);
          if (relx % 2 !== 0) color = canvas.get(x - 1, y);
        }
      }
      canvas.set(x, y, color);
    }
  }
}

/** Two rows of plain background towers in the grays, then black towers with lit windows. */
export function skyline(cols: number, rows: number, rand: Random = Math.random): Canvas {
  const canvas = new Canvas(cols, rows, 3);
  const h = canvas.height;
  for (let color = 2; color >= 1; color--) {
    for (let offset = -10; offset < canvas.width;) {
      offset += randMod(rand, 8);
      const width = 10 + randMod(rand, 9);
      const height = Math.trunc(h / 2) + Math.trunc(randMod(rand, h) / (color === 2 ? 2 : 3));
      tower(canvas, { xoff: offset, width, height, windows: false, color }, rand);
      offset += color === 2 ? Math.trunc(width / 2) : width + 1;
    }
  }
  for (let offset = -10; offset < canvas.width;) {
    offset += randMod(rand, 8);
    let width = 5 + randMod(rand, 14);
    if (width % 4 !== 0) width += width % 3;
    const height = Math.trunc(h / 3) + Math.trunc(randMod(rand, h) / 2);
    tower(canvas, { xoff: offset, width, height, windows: true, color: 0 }, rand);
    offset += width + 5;
  }
  return canvas;
}

/** Foreground and background set to the same gray, so every terminal shows the same cell. */
const GRAYS = ['0;30;40m', '0;90;100m', '0;37;47m', '0;97;107m'];

/** One colored space per pixel, rows separated by newlines. */
export function grayText(canvas: Canvas): string {
  let out = '';
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) out += `\x1b[${GRAYS[canvas.get(x, y)] ?? GRAYS[0]} \x1b[0m`;
    if (y !== canvas.height - 1) out += '\n';
  }
  return out;
}

/** Optional integer arguments at argv[from...], each clamped to [1, max]; null after an error reply. */
function sizes(c: Client, argv: string[], from: number, defaults: number[], max: number[]): number[] | null {
  const out = defaults.slice();
  for (let i = 0; i < out.length && from + i < argv.length; i++) {
    const v = parseInt64(argv[from + i]!);
    if (v === null) {
      c.reply.error(E.notInteger);
      return null;
    }
    out[i] = Number(v < 1n ? 1n : v > BigInt(max[i]!) ? BigInt(max[i]!) : v);
  }
  return out;
}

/** Text made of Unicode characters, as the UTF-8 bytes the reply carries (latin1 string). */
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

export const lolwutCommands: CommandImpls = {
  lolwut(c, argv) {
    let version = Number(REDIS_VERSION.split('.')[0]);
    let from = 1;
    if (argv.length >= 3 && argv[1]!.toLowerCase() === 'version') {
      const v = parseInt64(argv[2]!);
      if (v === null) return c.reply.error(E.notInteger);
      version = Number(BigInt.asUintN(32, v)); // Redis prints it as an unsigned int
      from = 3;
    }
    if (version === 5) {
      const s = sizes(c, argv, from, [66, 8, 12], [1000, 200, 200]);
      if (s === null) return;
      const art = brailleText(schotter(s[0]!, s[1]!, s[2]!));
      return c.reply.verbatim(
        utf8(art) + `\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ${REDIS_VERSION}\n`,
      );
    }
    if (version === 6) {
      const s = sizes(c, argv, from, [80, 20], [1000, 1000]);
      if (s === null) return;
      return c.reply.verbatim(
        grayText(skyline(s[0]!, s[1]!)) +
          '\nDedicated to the 8 bit game developers of past and present.\n' +
          `Original 8 bit image from Plaguemon by hikikomori. Redis ver. ${REDIS_VERSION}\n`,
      );
    }
    c.reply.verbatim(`Redis ver. ${REDIS_VERSION}\n`);
  },
};
