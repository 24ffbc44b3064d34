/**
 * The invariant checker of a simulation (or a real-network run): a ledger of calls, what their
 * handler did, and how they settled, checked against Lupine's promises:
 *
 * 1. every call settles exactly once;
 * 2. a successful call's result equals what its handler returned;
 * 3. a handler runs at most once per call, and exactly once for a call that succeeded;
 * 4. no call settles later than its deadline plus a bound (and none is left unsettled);
 * 5. queues and caches stay within their limits (sampled by the runner through {@link limit}).
 */

/** One call's record. */
export interface CallRecord {
  readonly id: number;
  readonly startedMs: number;
  readonly deadlineMs: number;
  executions: number;
  /** What the handler returned (its canonical string form), set at its first execution. */
  returned: string | undefined;
  settlements: number;
  settledMs: number;
  /** `ok` or the RpcError code. */
  outcome: string | undefined;
  /** The result the caller received (canonical string), when ok. */
  received: string | undefined;
}

export class CallLedger {
  readonly calls = new Map<number, CallRecord>();
  /** Violations found while running (limits), beside those {@link check} finds. */
  readonly violations: string[] = [];

  /** A call is about to be made. */
  begin(id: number, nowMs: number, timeoutMs: number): void {
    this.calls.set(id, {
      id,
      startedMs: nowMs,
      deadlineMs: nowMs + timeoutMs,
      executions: 0,
      returned: undefined,
      settlements: 0,
      settledMs: Number.NaN,
      outcome: undefined,
      received: undefined,
    });
  }

  /** The handler of call `id` ran and returned `value`. */
  executed(id: number, value: string): void {
    const c = this.calls.get(id);
    if (c === undefined) {
      this.violations.push(`handler ran for unknown call ${id}`);
      return;
    }
    c.executions++;
    if (c.returned === undefined) c.returned = value;
  }

  /** Call `id` settled: `outcome` is `ok` or an error code; `received` the result when ok. */
  settled(id: number, nowMs: number, outcome: string, received?: string): void {
    const c = this.calls.get(id);
    if (c === undefined) {
      this.violations.push(`unknown call ${id} settled`);
      return;
    }
    c.settlements++;
    c.settledMs = nowMs;
    c.outcome = outcome;
    c.received = received;
  }

  /** Records a limit check: `value` must not exceed `max`. */
  limit(what: string, value: number, max: number): void {
    if (value > max && this.violations.length < 100) {
      this.violations.push(`${what} is ${value}, above its limit ${max}`);
    }
  }

  /** Checks invariants 1–4 over every call; returns the violations (empty when all hold). */
  check(options: { lateBoundMs: number }): string[] {
    const out = [...this.violations];
    const add = (s: string) => {
      if (out.length < 50) out.push(s);
    };
    for (const c of this.calls.values()) {
      if (c.settlements !== 1) add(`call ${c.id} settled ${c.settlements} times`);
      if (c.executions > 1) add(`call ${c.id} executed ${c.executions} times`);
      if (c.outcome === "ok") {
        if (c.executions !== 1) add(`call ${c.id} succeeded with ${c.executions} executions`);
        if (c.received !== c.returned) {
          add(`call ${c.id} received ${c.received} but its handler returned ${c.returned}`);
        }
      }
      if (c.settledMs > c.deadlineMs + options.lateBoundMs) {
        add(`call ${c.id} settled ${(c.settledMs - c.deadlineMs).toFixed(1)} ms past its deadline`);
      }
    }
    return out;
  }

  /** Outcome counts: `{ ok: n, timeout: n, ... }`. */
  outcomes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls.values()) {
      const k = c.outcome ?? "unsettled";
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  }
}
