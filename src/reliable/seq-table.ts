/**
 * The calls of one session by sequence number: a ring of slots indexed by `seq & mask`, for the
 * sliding window of seqs a session has in flight (client: sent and not settled; server: between
 * the floor and the newest call). Get, set and delete are O(1); the ring doubles when the window
 * it must hold grows past it, and the caller bounds that window.
 *
 * Why not a `Map`: a session adds and deletes an entry per call, and V8's `Map` rehashes into a
 * new table every so often, linking the old table to the new one (for iterators). Once one table
 * has lived long enough to be promoted to the old generation — an idle moment suffices — every
 * later table and every call it held is kept alive through young-generation collections by that
 * chain and promoted in turn, until a full collection: on a busy transport this made garbage
 * collection the largest single cost (measured: a third of a client's CPU time).
 */
export class SeqTable<T> {
  private slots: (T | undefined)[];
  /** The seq held by each slot (-1: empty); tells a seq from another one a ring length away. */
  private keys: number[];
  private mask: number;
  private count = 0;
  /** No live seq is below `lo`; every live seq is below `hi`. */
  private lo = 0;
  private hi = 0;
  /** Entries outside the ring's window (rare: a seq far ahead of the others), or null. */
  private far: Map<number, T> | null = null;

  constructor(initialCapacity = 64) {
    let cap = 8;
    while (cap < initialCapacity) cap *= 2;
    this.slots = new Array<T | undefined>(cap).fill(undefined);
    this.keys = new Array<number>(cap).fill(-1);
    this.mask = cap - 1;
  }

  /** Entries held. */
  get size(): number {
    return this.far === null ? this.count : this.count + this.far.size;
  }

  get(seq: number): T | undefined {
    if (seq >= this.lo && seq < this.hi) {
      const i = seq & this.mask;
      if (this.keys[i] === seq) return this.slots[i];
    }
    return this.far === null ? undefined : this.far.get(seq);
  }

  /** Adds or replaces the entry of `seq` (a non-negative integer below 2^32). */
  set(seq: number, value: T): void {
    if (this.far?.has(seq)) {
      this.far.set(seq, value);
      return;
    }
    if (this.count === 0) {
      this.lo = seq;
      this.hi = seq + 1;
    } else {
      const lo = Math.min(this.lo, seq);
      const hi = Math.max(this.hi, seq + 1);
      if (hi - lo > this.mask + 1) {
        if (hi - lo > 2 * (this.count + 1) + 32) {
          this.far ??= new Map();
          this.far.set(seq, value);
          return;
        }
        this.grow(hi - lo);
      }
      this.lo = lo;
      this.hi = hi;
    }
    const i = seq & this.mask;
    if (this.keys[i] !== seq) {
      this.keys[i] = seq;
      this.count++;
    }
    this.slots[i] = value;
  }

  /** Removes the entry of `seq`; returns whether there was one. */
  delete(seq: number): boolean {
    const i = seq & this.mask;
    if (seq < this.lo || seq >= this.hi || this.keys[i] !== seq) {
      return this.far === null ? false : this.deleteFar(seq);
    }
    this.keys[i] = -1;
    this.slots[i] = undefined;
    this.count--;
    if (this.count === 0) this.lo = this.hi;
    else if (seq === this.lo) this.advanceLo();
    return true;
  }

  /** The smallest seq held, or -1 when empty. */
  lowest(): number {
    let lowest = this.count === 0 ? -1 : this.lo;
    if (this.far !== null) {
      for (const seq of this.far.keys()) if (lowest < 0 || seq < lowest) lowest = seq;
    }
    return lowest;
  }

  /** The entries in seq order (a snapshot: safe to modify the table while using it). */
  values(): T[] {
    if (this.far !== null) return this.valuesWithFar(this.far);
    const out: T[] = [];
    for (let seq = this.lo; seq < this.hi && out.length < this.count; seq++) {
      const i = seq & this.mask;
      if (this.keys[i] === seq) out.push(this.slots[i]!);
    }
    return out;
  }

  /** Removes every entry. */
  clear(): void {
    this.slots.fill(undefined);
    this.keys.fill(-1);
    this.count = 0;
    this.lo = this.hi;
    this.far = null;
  }

  private valuesWithFar(far: Map<number, T>): T[] {
    const all: [number, T][] = [...far];
    for (let seq = this.lo; seq < this.hi; seq++) {
      const i = seq & this.mask;
      if (this.keys[i] === seq) all.push([seq, this.slots[i]!]);
    }
    return all.sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  }

  private deleteFar(seq: number): boolean {
    const far = this.far!;
    if (!far.delete(seq)) return false;
    if (far.size === 0) this.far = null;
    return true;
  }

  private advanceLo(): void {
    let lo = this.lo + 1;
    while (lo < this.hi && this.keys[lo & this.mask] !== lo) lo++;
    this.lo = lo;
  }

  private grow(span: number): void {
    let cap = (this.mask + 1) * 2;
    while (cap < span) cap *= 2;
    const slots = new Array<T | undefined>(cap).fill(undefined);
    const keys = new Array<number>(cap).fill(-1);
    const mask = cap - 1;
    for (let seq = this.lo; seq < this.hi; seq++) {
      const i = seq & this.mask;
      if (this.keys[i] === seq) {
        slots[seq & mask] = this.slots[i];
        keys[seq & mask] = seq;
      }
    }
    this.slots = slots;
    this.keys = keys;
    this.mask = mask;
  }
}
