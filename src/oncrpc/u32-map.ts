/**
 * A hash map from unsigned 32-bit keys (xids, hashes) to values: open addressing with linear
 * probing and backward-shift deletion (no tombstones), keys in a typed array, values in a plain
 * array; doubles its table at 1/2 load. Get, set and delete are O(1) on average.
 *
 * Why not a `Map`: transports add and delete an entry per call, and V8's `Map` rehashes into new
 * tables linked one to the next; once a table has been promoted to the old generation, that
 * chain keeps every later table and every value it held alive through young-generation
 * collections, so short-lived calls get promoted and collected only by full collections (see
 * `reliable/seq-table.ts`). This table replaces its arrays only when it grows.
 */
export class U32Map<T> {
  /** Key + 1 per slot (0: empty), so that key 0 is storable. */
  private keys: Float64Array;
  private values: (T | undefined)[];
  private mask: number;
  /** 32 − log2(capacity): the hash's top bits pick the slot. */
  private shift: number;
  private count = 0;

  constructor(initialCapacity = 64) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.values = new Array<T | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
  }

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  get(key: number): T | undefined {
    const k = key + 1;
    const keys = this.keys;
    const mask = this.mask;
    for (let i = this.slotOf(key); ; i = (i + 1) & mask) {
      const at = keys[i]!;
      if (at === k) return this.values[i];
      if (at === 0) return undefined;
    }
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  /** Adds or replaces (`value` must not be undefined). */
  set(key: number, value: T): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const k = key + 1;
    const keys = this.keys;
    const mask = this.mask;
    for (let i = this.slotOf(key); ; i = (i + 1) & mask) {
      const at = keys[i]!;
      if (at === k) {
        this.values[i] = value;
        return;
      }
      if (at === 0) {
        keys[i] = k;
        this.values[i] = value;
        this.count++;
        return;
      }
    }
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: number): boolean {
    const k = key + 1;
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let i = this.slotOf(key);
    for (; ; i = (i + 1) & mask) {
      const at = keys[i]!;
      if (at === k) break;
      if (at === 0) return false;
    }
    // Backward-shift deletion: move later members of the probe run into the hole.
    let hole = i;
    for (let j = (i + 1) & mask; keys[j] !== 0; j = (j + 1) & mask) {
      const home = this.slotOf(keys[j]! - 1);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        keys[hole] = keys[j]!;
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = 0;
    values[hole] = undefined;
    this.count--;
    return true;
  }

  /** The values, in no particular order (a snapshot). */
  valuesArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i <= this.mask; i++) if (this.keys[i] !== 0) out.push(this.values[i]!);
    return out;
  }

  clear(): void {
    this.keys.fill(0);
    this.values.fill(undefined);
    this.count = 0;
  }

  /** Fibonacci hashing: the top bits of key · 2^32/φ. */
  private slotOf(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const cap = (this.mask + 1) * 2;
    this.keys = new Float64Array(cap);
    this.values = new Array<T | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] !== 0) this.set(oldKeys[i]! - 1, oldValues[i]!);
    }
  }
}
