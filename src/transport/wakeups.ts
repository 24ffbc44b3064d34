/**
 * One clock timer for many deadlines: each item has a `wakeAt`; the timer is armed for the
 * earliest, and when it fires every item that is due is handed to `onDue`, which may move its
 * `wakeAt` (the item is then kept, at its new time) or delete it; then the timer is armed again.
 * Clients keep their calls' retransmission and deadline times here instead of one timer per call
 * (a timer per call costs an allocation and two list operations, and most calls end long before
 * their timer would fire).
 *
 * The items sit in an indexed binary heap (`reliable/timer-heap.ts`): add, move and delete are
 * O(log n) and allocate nothing, and a deleted item is not referenced any more (a `Set` with an
 * entry added and deleted per call keeps finished calls alive through young-generation garbage
 * collections, see `oncrpc/u32-map.ts`). The clock timer is re-armed only when an item is due
 * earlier than the armed time.
 */
import type { Clock, TimerHandle } from "../io/index.js";
import { type HeapItem, TimerHeap } from "../reliable/timer-heap.js";

/** Something with a time to wake up at (ms on the clock); `heapIndex` is the heap's (-1 initially). */
export interface Wakeable extends HeapItem {
  readonly wakeAt: number;
}

/** See the module comment. */
export class Wakeups<T extends Wakeable> {
  private readonly heap = new TimerHeap<T>();
  private timer: TimerHandle | undefined;
  private armedAt = Number.POSITIVE_INFINITY;
  /** The item `onDue` is handling (null once it deleted it). */
  private firing: T | null = null;
  private readonly fireBound = () => this.fire();

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (item: T, now: number) => void,
  ) {}

  /** Items held. */
  get size(): number {
    return this.heap.size + (this.firing === null ? 0 : 1);
  }

  /** Starts watching `item`, or moves it to its current `wakeAt`. */
  add(item: T): void {
    if (item === this.firing) return; // put back at its new time when onDue returns
    this.heap.set(item, item.wakeAt);
    if (item.wakeAt < this.armedAt) this.arm(item.wakeAt);
  }

  /** Stops watching `item`. */
  delete(item: T): void {
    if (item === this.firing) this.firing = null;
    this.heap.remove(item);
    if (this.heap.size === 0 && this.firing === null) this.disarm();
  }

  /** Forgets everything and stops the timer. */
  clear(): void {
    this.heap.clear();
    this.firing = null;
    this.disarm();
  }

  private arm(at: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = this.clock.setTimeout(this.fireBound, at - this.clock.now());
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.timer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    const heap = this.heap;
    // Take every due item first, so that one whose wakeAt did not move waits for the next firing.
    const due: T[] = [];
    while (heap.peekMs() <= now) due.push(heap.pop()!);
    for (const item of due) {
      this.firing = item;
      this.onDue(item, now);
      if (this.firing === item) heap.set(item, item.wakeAt);
      this.firing = null;
    }
    const next = heap.peekMs();
    if (next !== Number.POSITIVE_INFINITY && this.timer === undefined) this.arm(next);
  }
}
