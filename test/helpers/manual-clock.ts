/**
 * A clock for tests: time moves only when the test says so, and timers fire in deadline order
 * (ties in the order they were set), each at exactly its deadline.
 */
import type { Clock, TimerHandle } from "../../src/io/index.js";

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

export class ManualClock implements Clock {
  private t: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(start = 1000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.t + Math.max(0, delayMs), fn };
    this.timers.push(timer);
    return timer.id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const id = handle as unknown as number;
    this.timers = this.timers.filter((x) => x.id !== id);
  }

  /** Timers still pending. */
  get pending(): number {
    return this.timers.length;
  }

  /** The earliest pending deadline, or undefined. */
  get nextDeadline(): number | undefined {
    let best: number | undefined;
    for (const x of this.timers) if (best === undefined || x.at < best) best = x.at;
    return best;
  }

  /** Advances to `to`, firing every timer due on the way at its own deadline. */
  advanceTo(to: number): void {
    for (;;) {
      let next: Timer | undefined;
      for (const x of this.timers) {
        if (
          x.at <= to &&
          (next === undefined || x.at < next.at || (x.at === next.at && x.id < next.id))
        )
          next = x;
      }
      if (next === undefined) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = Math.max(this.t, to);
  }

  /** Advances by `ms`. */
  advance(ms: number): void {
    this.advanceTo(this.t + ms);
  }
}
