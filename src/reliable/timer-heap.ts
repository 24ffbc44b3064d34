/**
 * A binary min-heap of deadlines, indexed: every item is in the heap at most once, knows its
 * position (`heapIndex`, -1 when absent) and its deadline lives in the heap only. Setting an
 * item's deadline inserts it or moves it (O(log n)); removing it — when its call settles — is
 * O(log n) too. Nothing stale stays behind, so a settled call is not kept alive by the heap (with
 * lazy deletion, thousands of finished calls would survive young-generation collections and be
 * promoted, which made garbage collection the largest cost of a busy client). No allocation per
 * operation: deadlines sit in a growable array of doubles, items in a parallel array.
 */

/** Something the heap can hold: the heap maintains `heapIndex`. */
export interface HeapItem {
  heapIndex: number;
}

export class TimerHeap<T extends HeapItem> {
  private at: number[] = [];
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Earliest deadline, or +∞ when empty. */
  peekMs(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : this.at[0]!;
  }

  /** The item with the earliest deadline (undefined when empty). */
  peekItem(): T | undefined {
    return this.items[0];
  }

  /** The deadline of `item` (+∞ when it is not in the heap). */
  deadlineOf(item: T): number {
    return item.heapIndex < 0 ? Number.POSITIVE_INFINITY : this.at[item.heapIndex]!;
  }

  /**
   * Sets `item`'s deadline: inserts it, moves it, or (with +∞) removes it. Setting the deadline it
   * already has does nothing.
   */
  set(item: T, atMs: number): void {
    const i = item.heapIndex;
    if (atMs === Number.POSITIVE_INFINITY) {
      if (i >= 0) this.removeAt(i);
      return;
    }
    if (i < 0) {
      const n = this.items.length;
      this.at.push(atMs);
      this.items.push(item);
      item.heapIndex = n;
      this.up(n);
      return;
    }
    const old = this.at[i]!;
    if (atMs === old) return;
    this.at[i] = atMs;
    if (atMs < old) this.up(i);
    else this.down(i);
  }

  /** Removes `item` if present. */
  remove(item: T): void {
    if (item.heapIndex >= 0) this.removeAt(item.heapIndex);
  }

  /** Removes and returns the earliest item (undefined when empty). */
  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0]!;
    this.removeAt(0);
    return top;
  }

  /** Removes every item. */
  clear(): void {
    for (const it of this.items) it.heapIndex = -1;
    this.at = [];
    this.items = [];
  }

  private removeAt(i: number): void {
    const a = this.at;
    const it = this.items;
    it[i]!.heapIndex = -1;
    const lastAt = a.pop()!;
    const lastItem = it.pop()!;
    if (i === it.length) return;
    const old = a[i]!;
    a[i] = lastAt;
    it[i] = lastItem;
    lastItem.heapIndex = i;
    if (lastAt < old) this.up(i);
    else this.down(i);
  }

  private up(i: number): void {
    const a = this.at;
    const it = this.items;
    const at = a[i]!;
    const item = it[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= at) break;
      a[i] = a[p]!;
      it[i] = it[p]!;
      it[i]!.heapIndex = i;
      i = p;
    }
    a[i] = at;
    it[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const a = this.at;
    const it = this.items;
    const n = a.length;
    const at = a[i]!;
    const item = it[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && a[r]! < a[l]! ? r : l;
      if (a[c]! >= at) break;
      a[i] = a[c]!;
      it[i] = it[c]!;
      it[i]!.heapIndex = i;
      i = c;
    }
    a[i] = at;
    it[i] = item;
    item.heapIndex = i;
  }
}
