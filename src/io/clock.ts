/**
 * Time, as the layers above see it. Real code gets the Node clock (`io/node/clock.ts`); tests get
 * a virtual clock (`testing/`) that jumps from timer to timer, so a run replays exactly.
 */

/** An opaque handle for a pending timer. */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

export interface Clock {
  /** Monotonic milliseconds (may be fractional); only differences mean anything. */
  now(): number;
  /** Calls `fn` once, no earlier than `delayMs` from now. */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a pending timer; a no-op for one that already fired or was cleared. */
  clearTimeout(handle: TimerHandle): void;
}
