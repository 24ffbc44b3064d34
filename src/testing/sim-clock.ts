/**
 * Virtual time for simulations: a {@link Clock} whose `now()` only moves when {@link SimClock.run}
 * jumps to the next event, so hours of protocol time pass in milliseconds and every run replays.
 * Events at the same time run in the order they were scheduled. Between time steps the real
 * microtask queue is drained (promise continuations of the code under test), so async handlers
 * and awaiting callers behave as they would on a real event loop.
 */
import type { Clock, TimerHandle } from "../io/clock.js";

interface SimEvent {
  at: number;
  order: number;
  fn: (() => void) | null;
}

const drain = () => new Promise<void>((r) => setImmediate(r));

export class SimClock implements Clock {
  private t = 0;
  private order = 0;
  private heap: SimEvent[] = [];
  /** Events run so far. */
  eventsRun = 0;

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const ev: SimEvent = { at: this.t + Math.max(0, delayMs), order: this.order++, fn };
    this.push(ev);
    return ev as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as unknown as SimEvent).fn = null;
  }

  /** Runs `fn` at the current time, after the events already due now (a transport's flush). */
  defer = (fn: () => void): void => {
    this.push({ at: this.t, order: this.order++, fn });
  };

  /** Whether anything is scheduled. */
  get idle(): boolean {
    return this.heap.length === 0;
  }

  /**
   * Runs events in time order until `done()` holds (checked between time steps), nothing is left,
   * or virtual time would pass `untilMs`. Resolves with the virtual time reached.
   */
  async run(options: { untilMs?: number; done?: () => boolean } = {}): Promise<number> {
    const until = options.untilMs ?? Number.POSITIVE_INFINITY;
    for (;;) {
      while (this.heap.length > 0 && this.heap[0]!.at <= this.t) this.runOne();
      await drain();
      if (this.heap.length > 0 && this.heap[0]!.at <= this.t) continue;
      if (options.done?.()) return this.t;
      if (this.heap.length === 0) return this.t;
      const next = this.heap[0]!.at;
      if (next > until) {
        this.t = until;
        return this.t;
      }
      this.t = next;
    }
  }

  private runOne(): void {
    const ev = this.pop()!;
    if (ev.fn === null) return;
    this.eventsRun++;
    const fn = ev.fn;
    ev.fn = null;
    fn();
  }

  private less(x: SimEvent, y: SimEvent): boolean {
    return x.at < y.at || (x.at === y.at && x.order < y.order);
  }

  private push(ev: SimEvent): void {
    const h = this.heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(ev, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = ev;
  }

  private pop(): SimEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && this.less(h[r]!, h[l]!) ? r : l;
        if (!this.less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
