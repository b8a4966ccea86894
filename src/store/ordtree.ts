// An order-statistic B+tree of (score, member) pairs: the ordered half of a sorted set.
// Leaves hold up to LEAF_MAX pairs in two parallel arrays and are linked both ways for
// iteration; inner nodes keep, for every child, its element count (so rank lookups and "the
// n-th element" are O(log n)) and its largest key (for routing). Compared with a skip list of
// one heap object per element this keeps searches in a few contiguous arrays, which is what
// makes it fast in JS. Members are latin1 strings, so JS string order is memcmp order.
//
// Nodes are never merged when they shrink, only dropped when empty: the height stays bounded
// by the largest size the tree ever had, which keeps every operation O(log n).

import {
  type ScoreRange,
  type LexRange,
  scoreGteMin,
  scoreLteMax,
  lexGteMin,
  lexLteMax,
  scoreRangeEmpty,
  lexRangeEmpty,
} from './zrange.js';

const LEAF_MAX = 64;
const INNER_MAX = 64;

class Leaf {
  s: number[] = [];
  e: string[] = [];
  next: Leaf | null = null;
  prev: Leaf | null = null;
}

class Inner {
  kids: (Leaf | Inner)[] = [];
  /** Elements under each child. */
  cnt: number[] = [];
  /** Largest key under each child. */
  maxS: number[] = [];
  maxE: string[] = [];
}

/** (s1, e1) compared with (s2, e2). */
function cmp(s1: number, e1: string, s2: number, e2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return e1 < e2 ? -1 : e1 > e2 ? 1 : 0;
}

/** First child whose largest key is >= (s, e); kids.length when none. */
function childFor(n: Inner, s: number, e: string): number {
  let lo = 0;
  let hi = n.kids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(n.maxS[mid]!, n.maxE[mid]!, s, e) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in a leaf whose key is >= (s, e). */
function leafLower(l: Leaf, s: number, e: string): number {
  let lo = 0;
  let hi = l.s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(l.s[mid]!, l.e[mid]!, s, e) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A position in the tree; moves along the leaf chain. Invalid once the tree changes. */
export class Cursor {
  constructor(
    private leaf: Leaf,
    private i: number,
  ) {}

  get ele(): string {
    return this.leaf.e[this.i]!;
  }

  get score(): number {
    return this.leaf.s[this.i]!;
  }

  /** Moves to the next pair; false (and the cursor is spent) at the end. */
  next(): boolean {
    if (++this.i < this.leaf.s.length) return true;
    const n = this.leaf.next;
    if (n === null) return false;
    this.leaf = n;
    this.i = 0;
    return true;
  }

  prev(): boolean {
    if (--this.i >= 0) return true;
    const p = this.leaf.prev;
    if (p === null) return false;
    this.leaf = p;
    this.i = p.s.length - 1;
    return true;
  }
}

// Descent path scratch, shared by all trees (operations are synchronous).
const PATH_N: Inner[] = [];
const PATH_I: number[] = [];
/** A lone leaf up to this size is kept in exactly sized arrays (many small sets). */
const TRIM_MAX = 8;

export class OrderTree {
  private root: Leaf | Inner = new Leaf();
  /** Inner levels above the leaves. */
  private height = 0;
  private head: Leaf;
  private tail: Leaf;
  size = 0;

  constructor() {
    this.head = this.tail = this.root as Leaf;
  }

  /** Inserts a pair; the caller guarantees the member is not present. */
  insert(s: number, e: string): void {
    let node = this.root;
    const h = this.height;
    for (let d = 0; d < h; d++) {
      const n = node as Inner;
      let k = childFor(n, s, e);
      if (k === n.kids.length) {
        // Beyond every key: it goes last, and that child's largest key becomes this one.
        k--;
        n.maxS[k] = s;
        n.maxE[k] = e;
      }
      n.cnt[k]!++;
      PATH_N[d] = n;
      PATH_I[d] = k;
      node = n.kids[k]!;
    }
    const leaf = node as Leaf;
    const pos = leafLower(leaf, s, e);
    if (pos === leaf.s.length) {
      leaf.s.push(s);
      leaf.e.push(e);
    } else {
      leaf.s.splice(pos, 0, s);
      leaf.e.splice(pos, 0, e);
    }
    this.size++;
    if (leaf.s.length > LEAF_MAX) this.splitLeaf(leaf, pos);
    else if (h === 0 && leaf.s.length <= TRIM_MAX) {
      // Growing an array reserves 16 spare slots: too much for the many tiny sets.
      leaf.s = leaf.s.slice();
      leaf.e = leaf.e.slice();
    }
  }

  private splitLeaf(leaf: Leaf, pos: number): void {
    const len = leaf.s.length;
    // Appending at the very end (rising scores): keep the left leaf full.
    const mid = pos === len - 1 && leaf.next === null ? len - 1 : len >> 1;
    const right = new Leaf();
    right.s = leaf.s.splice(mid);
    right.e = leaf.e.splice(mid);
    right.next = leaf.next;
    right.prev = leaf;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.tail = right;
    leaf.next = right;
    this.addSibling(
      this.height - 1,
      leaf,
      right,
      leaf.s.length,
      right.s.length,
      leaf.s[leaf.s.length - 1]!,
      leaf.e[leaf.e.length - 1]!,
      right.s[right.s.length - 1]!,
      right.e[right.e.length - 1]!,
    );
  }

  /**
   * After `left` (a child of PATH_N[d]) split off `right`, records right in the parent,
   * splitting the parent in turn when it overflows; d = -1 means left was the root.
   */
  private addSibling(
    d: number,
    left: Leaf | Inner,
    right: Leaf | Inner,
    lc: number,
    rc: number,
    lmaxS: number,
    lmaxE: string,
    rmaxS: number,
    rmaxE: string,
  ): void {
    if (d < 0) {
      const r = new Inner();
      r.kids = [left, right];
      r.cnt = [lc, rc];
      r.maxS = [lmaxS, rmaxS];
      r.maxE = [lmaxE, rmaxE];
      this.root = r;
      this.height++;
      return;
    }
    const p = PATH_N[d]!;
    const k = PATH_I[d]!;
    p.cnt[k] = lc;
    p.maxS[k] = lmaxS;
    p.maxE[k] = lmaxE;
    p.kids.splice(k + 1, 0, right);
    p.cnt.splice(k + 1, 0, rc);
    p.maxS.splice(k + 1, 0, rmaxS);
    p.maxE.splice(k + 1, 0, rmaxE);
    if (p.kids.length <= INNER_MAX) return;
    const mid = p.kids.length >> 1;
    const q = new Inner();
    q.kids = p.kids.splice(mid);
    q.cnt = p.cnt.splice(mid);
    q.maxS = p.maxS.splice(mid);
    q.maxE = p.maxE.splice(mid);
    const sum = (a: number[]): number => {
      let t = 0;
      for (let i = 0; i < a.length; i++) t += a[i]!;
      return t;
    };
    const pl = p.kids.length - 1;
    const ql = q.kids.length - 1;
    this.addSibling(d - 1, p, q, sum(p.cnt), sum(q.cnt), p.maxS[pl]!, p.maxE[pl]!, q.maxS[ql]!, q.maxE[ql]!);
  }

  /**
   * Changes the score of a present pair: in place when it keeps its position (the common
   * case of small increments), else by removal and insertion.
   */
  update(s: number, e: string, ns: number): void {
    if (!this.remove(s, e, ns)) return;
    this.insert(ns, e);
  }

  /**
   * Removes a pair; false when absent. With `ns`, a pair whose new score `ns` would keep its
   * position is changed in place instead, and false is returned too.
   */
  remove(s: number, e: string, ns?: number): boolean {
    let node = this.root;
    const h = this.height;
    for (let d = 0; d < h; d++) {
      const n = node as Inner;
      const k = childFor(n, s, e);
      if (k === n.kids.length) return false;
      PATH_N[d] = n;
      PATH_I[d] = k;
      node = n.kids[k]!;
    }
    const leaf = node as Leaf;
    const pos = leafLower(leaf, s, e);
    if (pos === leaf.s.length || leaf.s[pos] !== s || leaf.e[pos] !== e) return false;
    if (ns !== undefined && this.fitsAt(leaf, pos, ns, e)) {
      leaf.s[pos] = ns;
      if (pos === leaf.s.length - 1) this.fixMax(h - 1, ns, e);
      return false;
    }
    leaf.s.splice(pos, 1);
    leaf.e.splice(pos, 1);
    this.size--;
    for (let d = 0; d < h; d++) PATH_N[d]!.cnt[PATH_I[d]!]!--;
    if (leaf.s.length === 0) this.dropLeaf(leaf);
    else if (pos === leaf.s.length) this.fixMax(h - 1, leaf.s[pos - 1]!, leaf.e[pos - 1]!);
    return true;
  }

  /** True when (ns, e) still sorts strictly between the neighbours of leaf[pos]. */
  private fitsAt(leaf: Leaf, pos: number, ns: number, e: string): boolean {
    const last = leaf.s.length - 1;
    if (pos > 0) {
      if (cmp(leaf.s[pos - 1]!, leaf.e[pos - 1]!, ns, e) >= 0) return false;
    } else if (leaf.prev !== null) {
      const p = leaf.prev;
      const i = p.s.length - 1;
      if (cmp(p.s[i]!, p.e[i]!, ns, e) >= 0) return false;
    }
    if (pos < last) return cmp(ns, e, leaf.s[pos + 1]!, leaf.e[pos + 1]!) < 0;
    const n = leaf.next;
    return n === null || cmp(ns, e, n.s[0]!, n.e[0]!) < 0;
  }

  /** The child at PATH_N[d] now has this largest key; parents follow while it is their last child. */
  private fixMax(d: number, s: number, e: string): void {
    for (; d >= 0; d--) {
      const p = PATH_N[d]!;
      const k = PATH_I[d]!;
      p.maxS[k] = s;
      p.maxE[k] = e;
      if (k !== p.kids.length - 1) return;
    }
  }

  private dropLeaf(leaf: Leaf): void {
    if (this.height === 0) return; // the root leaf stays, empty
    if (leaf.prev !== null) leaf.prev.next = leaf.next;
    else this.head = leaf.next!;
    if (leaf.next !== null) leaf.next.prev = leaf.prev;
    else this.tail = leaf.prev!;
    // Remove the child from its parent, and empty parents from theirs.
    let d = this.height - 1;
    for (; d >= 0; d--) {
      const p = PATH_N[d]!;
      const k = PATH_I[d]!;
      p.kids.splice(k, 1);
      p.cnt.splice(k, 1);
      p.maxS.splice(k, 1);
      p.maxE.splice(k, 1);
      if (p.kids.length > 0) {
        // The last child went: this node's largest key is now its new last child's.
        if (k === p.kids.length) this.fixMax(d - 1, p.maxS[k - 1]!, p.maxE[k - 1]!);
        break;
      }
    }
    if (d < 0) {
      this.reset();
      return;
    }
    // A root with a single child is replaced by that child.
    while (this.height > 0 && (this.root as Inner).kids.length === 1) {
      this.root = (this.root as Inner).kids[0]!;
      this.height--;
    }
  }

  private reset(): void {
    const l = new Leaf();
    this.root = this.head = this.tail = l;
    this.height = 0;
    this.size = 0;
  }

  clear(): void {
    this.reset();
  }

  /** The score of member e by a scan of every leaf (small sets without a member map). */
  findLinear(e: string): number | undefined {
    for (let l: Leaf | null = this.head; l !== null; l = l.next) {
      const i = l.e.indexOf(e);
      if (i >= 0) return l.s[i];
    }
    return undefined;
  }

  /** 0-based rank of the pair, or -1 when absent. */
  rankOf(s: number, e: string): number {
    let node = this.root;
    let rank = 0;
    for (let d = 0; d < this.height; d++) {
      const n = node as Inner;
      const k = childFor(n, s, e);
      if (k === n.kids.length) return -1;
      for (let j = 0; j < k; j++) rank += n.cnt[j]!;
      node = n.kids[k]!;
    }
    const leaf = node as Leaf;
    const pos = leafLower(leaf, s, e);
    if (pos === leaf.s.length || leaf.s[pos] !== s || leaf.e[pos] !== e) return -1;
    return rank + pos;
  }

  /** A cursor at a 0-based rank, or null when out of range. */
  at(rank: number): Cursor | null {
    if (rank < 0 || rank >= this.size) return null;
    if (rank === 0) return new Cursor(this.head, 0);
    if (rank === this.size - 1) return new Cursor(this.tail, this.tail.s.length - 1);
    let node = this.root;
    for (let d = 0; d < this.height; d++) {
      const n = node as Inner;
      let k = 0;
      while (rank >= n.cnt[k]!) rank -= n.cnt[k++]!;
      node = n.kids[k]!;
    }
    return new Cursor(node as Leaf, rank);
  }

  /**
   * Rank of the first pair for which `past(score, ele)` is false, given that `past` holds for
   * a prefix of the order (and is checked on each child's largest key to route).
   */
  private boundary(past: (s: number, e: string) => boolean): number {
    let node = this.root;
    let rank = 0;
    for (let d = 0; d < this.height; d++) {
      const n = node as Inner;
      const len = n.kids.length;
      let lo = 0;
      let hi = len;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (past(n.maxS[mid]!, n.maxE[mid]!)) lo = mid + 1;
        else hi = mid;
      }
      for (let j = 0; j < lo; j++) rank += n.cnt[j]!;
      if (lo === len) return rank;
      node = n.kids[lo]!;
    }
    const leaf = node as Leaf;
    let lo = 0;
    let hi = leaf.s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (past(leaf.s[mid]!, leaf.e[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return rank + lo;
  }

  /** Rank of the first pair inside the score range, or -1. */
  firstInRange(r: ScoreRange): number {
    if (this.size === 0 || scoreRangeEmpty(r)) return -1;
    const p = this.boundary((s) => !scoreGteMin(s, r));
    if (p >= this.size) return -1;
    return scoreLteMax(this.at(p)!.score, r) ? p : -1;
  }

  /** Rank of the last pair inside the score range, or -1. */
  lastInRange(r: ScoreRange): number {
    if (this.size === 0 || scoreRangeEmpty(r)) return -1;
    const q = this.boundary((s) => scoreLteMax(s, r)) - 1;
    if (q < 0) return -1;
    return scoreGteMin(this.at(q)!.score, r) ? q : -1;
  }

  firstInLexRange(r: LexRange): number {
    if (this.size === 0 || lexRangeEmpty(r)) return -1;
    const p = this.boundary((_s, e) => !lexGteMin(e, r));
    if (p >= this.size) return -1;
    return lexLteMax(this.at(p)!.ele, r) ? p : -1;
  }

  lastInLexRange(r: LexRange): number {
    if (this.size === 0 || lexRangeEmpty(r)) return -1;
    const q = this.boundary((_s, e) => lexLteMax(e, r)) - 1;
    if (q < 0) return -1;
    return lexGteMin(this.at(q)!.ele, r) ? q : -1;
  }
}
