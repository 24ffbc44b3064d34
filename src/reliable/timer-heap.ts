/**
 * A binary min-heap of deadlines with lazy deletion: the owner pushes `(atMs, item)` and, when
 * popping, ignores items whose deadline changed since (`isCurrent`). One push per timer change,
 * O(log n); the owner's next deadline is {@link peekMs}. Bounded by the owner, which pushes at most
 * a few entries per live item and {@link compact}s when stale entries pile up.
 */
export class TimerHeap<T> {
  private at: number[] = [];
  private items: T[] = [];

  get size(): number {
    return this.at.length;
  }

  push(atMs: number, item: T): void {
    const a = this.at;
    const it = this.items;
    let i = a.length;
    a.push(atMs);
    it.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= atMs) break;
      a[i] = a[p]!;
      it[i] = it[p]!;
      i = p;
    }
    a[i] = atMs;
    it[i] = item;
  }

  /** Earliest deadline, or +∞ when empty. */
  peekMs(): number {
    return this.at.length === 0 ? Number.POSITIVE_INFINITY : this.at[0]!;
  }

  /** The earliest item without removing it (undefined when empty). */
  peekItem(): T | undefined {
    return this.items[0];
  }

  /** Pops stale entries off the top (those `isCurrent` rejects); returns the earliest live deadline. */
  peekLiveMs(isCurrent: (atMs: number, item: T) => boolean): number {
    while (this.at.length > 0 && !isCurrent(this.at[0]!, this.items[0]!)) this.pop();
    return this.peekMs();
  }

  /** Removes and returns the earliest item (undefined when empty). */
  pop(): T | undefined {
    const a = this.at;
    const it = this.items;
    if (a.length === 0) return undefined;
    const top = it[0];
    const lastAt = a.pop()!;
    const lastItem = it.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && a[r]! < a[l]! ? r : l;
        if (a[c]! >= lastAt) break;
        a[i] = a[c]!;
        it[i] = it[c]!;
        i = c;
      }
      a[i] = lastAt;
      it[i] = lastItem;
    }
    return top;
  }

  /** Keeps only the entries `keep` accepts (rebuilds the heap). */
  compact(keep: (atMs: number, item: T) => boolean): void {
    const a = this.at;
    const it = this.items;
    this.at = [];
    this.items = [];
    for (let i = 0; i < a.length; i++) if (keep(a[i]!, it[i]!)) this.push(a[i]!, it[i]!);
  }

  clear(): void {
    this.at = [];
    this.items = [];
  }
}
