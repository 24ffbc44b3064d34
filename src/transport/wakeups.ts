/**
 * One clock timer for many deadlines: each item has a `wakeAt`; the timer is armed for the
 * earliest, and when it fires every item that is due is handed to `onDue` (which may move its
 * `wakeAt` or remove it), then the timer is armed again. Clients keep their calls' retransmission
 * and deadline times here instead of one timer per call (a timer per call costs an allocation
 * and two list operations, and most calls end long before their timer would fire).
 *
 * Cost: `add`/`delete` O(1) (re-arming only when an item is due earlier than the armed time);
 * a firing scans the items, O(n) — firings happen at retransmission and deadline times, not per
 * call.
 */
import type { Clock, TimerHandle } from "../io/index.js";

/** Something with a time to wake up at (ms on the clock). */
export interface Wakeable {
  readonly wakeAt: number;
}

/** See the module comment. */
export class Wakeups<T extends Wakeable> {
  private readonly items = new Set<T>();
  private timer: TimerHandle | undefined;
  private armedAt = Number.POSITIVE_INFINITY;
  private readonly fireBound = () => this.fire();

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (item: T, now: number) => void,
  ) {}

  /** Items held. */
  get size(): number {
    return this.items.size;
  }

  /** Starts watching `item` (call again after moving its `wakeAt` earlier). */
  add(item: T): void {
    this.items.add(item);
    if (item.wakeAt < this.armedAt) this.arm(item.wakeAt);
  }

  /** Stops watching `item`. The timer stays armed; it re-arms for what is left when it fires. */
  delete(item: T): void {
    this.items.delete(item);
    if (this.items.size === 0) this.disarm();
  }

  /** Forgets everything and stops the timer. */
  clear(): void {
    this.items.clear();
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
    for (const item of this.items) if (item.wakeAt <= now) this.onDue(item, now);
    let next = Number.POSITIVE_INFINITY;
    for (const item of this.items) if (item.wakeAt < next) next = item.wakeAt;
    if (next !== Number.POSITIVE_INFINITY && this.timer === undefined) this.arm(next);
  }
}
