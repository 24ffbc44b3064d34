/** The real clock: `performance.now()` and Node timers (unref'd: they never keep a process up). */
import type { Clock, TimerHandle } from "../clock.js";

export const nodeClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, delayMs) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};

/** Milliseconds since the Unix epoch (wall time, may jump): for initiation timestamps. */
export const nodeWallClockMs = (): number => Date.now();
