/**
 * When a UDP client retransmits (RFC 5531 §3 leaves it to the implementation; RFC 6298 §2 gives
 * the estimator).
 *
 * ONC RPC over UDP has no acknowledgements: a call is retransmitted, with the same xid, until its
 * reply arrives or its deadline passes. libtirpc waits 15 s before the first retransmission and
 * doubles to at most 30 s, so one lost datagram stalls a LAN call for 15 s. Lupine measures the
 * round-trip time of calls that were sent once (Karn's rule: a reply to a retransmitted call
 * cannot be matched to one transmission) and waits SRTT + 4·RTTVAR, never less than
 * `minIntervalMs` (the floor also keeps a slow handler from being re-sent over and over), doubling
 * after each retransmission up to `maxIntervalMs`, and gives up at the call's total deadline.
 * The defaults and their reasons are in docs/runtime.md.
 *
 * Pure: every method takes `now` (milliseconds on the caller's clock).
 */

/** How a UDP client paces retransmissions. */
export interface RetransmitPolicy {
  /** Interval before the first retransmission while no RTT has been measured (ms). */
  readonly initialIntervalMs: number;
  /** Floor of the measured interval (ms). */
  readonly minIntervalMs: number;
  /** Ceiling of the interval after doubling (ms). */
  readonly maxIntervalMs: number;
  /** Whether to derive the first interval from measured RTTs (else always `initialIntervalMs`). */
  readonly adaptive: boolean;
}

/** The defaults: see docs/runtime.md ("Timeouts") for the measurements behind them. */
export const DEFAULT_RETRANSMIT_POLICY: RetransmitPolicy = Object.freeze({
  initialIntervalMs: 1000,
  minIntervalMs: 200,
  maxIntervalMs: 8000,
  adaptive: true,
});

/**
 * The smoothed round-trip time of one peer (RFC 6298 §2: α = 1/8, β = 1/4, K = 4), fed only with
 * samples from calls sent once (Karn's rule).
 */
export class RttEstimator {
  /** Smoothed RTT (ms); NaN before the first sample. */
  srttMs = Number.NaN;
  /** RTT variation (ms); NaN before the first sample. */
  rttvarMs = Number.NaN;
  /** Samples taken. */
  samples = 0;

  /** Adds one measured round trip (ms). */
  sample(rttMs: number): void {
    if (!(rttMs >= 0)) return;
    if (this.samples === 0) {
      this.srttMs = rttMs;
      this.rttvarMs = rttMs / 2;
    } else {
      this.rttvarMs = 0.75 * this.rttvarMs + 0.25 * Math.abs(this.srttMs - rttMs);
      this.srttMs = 0.875 * this.srttMs + 0.125 * rttMs;
    }
    this.samples++;
  }

  /** The first retransmission interval for a new call under `policy` (ms). */
  intervalMs(policy: RetransmitPolicy): number {
    if (!policy.adaptive || this.samples === 0) return policy.initialIntervalMs;
    const rto = this.srttMs + Math.max(1, 4 * this.rttvarMs);
    return Math.min(policy.maxIntervalMs, Math.max(policy.minIntervalMs, rto));
  }
}

/** What a call's timer says when it fires. */
export type WakeAction = "retransmit" | "timeout" | "wait";

/**
 * The retransmission schedule of one call: first sent at `now`, retransmitted at
 * `now + interval`, then at doubling intervals (capped), and abandoned at `now + timeoutMs`.
 *
 * Contract: the caller sends once, arms a timer for {@link wakeAt}, and on each firing calls
 * {@link onWake}: `retransmit` → send the same bytes again; `timeout` → fail the call; `wait` →
 * the timer was early. Then it re-arms for the new {@link wakeAt} unless the call ended.
 */
export class CallSchedule {
  /** When the call was first sent. */
  readonly startedAt: number;
  /** When the call gives up. */
  readonly deadlineAt: number;
  /** The current interval between transmissions (ms). */
  intervalMs: number;
  /** When the next retransmission is due. */
  nextSendAt: number;
  /** How many times the request has been sent. */
  transmissions = 1;
  private readonly maxIntervalMs: number;

  constructor(options: {
    readonly now: number;
    readonly timeoutMs: number;
    readonly intervalMs: number;
    readonly maxIntervalMs: number;
  }) {
    this.startedAt = options.now;
    this.deadlineAt = options.now + options.timeoutMs;
    this.intervalMs = options.intervalMs;
    this.maxIntervalMs = Math.max(options.maxIntervalMs, options.intervalMs);
    this.nextSendAt = options.now + options.intervalMs;
  }

  /** When the caller's timer must fire next. */
  get wakeAt(): number {
    return Math.min(this.nextSendAt, this.deadlineAt);
  }

  /** Advances the schedule at `now`; see the class contract. */
  onWake(now: number): WakeAction {
    if (now >= this.deadlineAt) return "timeout";
    if (now < this.nextSendAt) return "wait";
    this.transmissions++;
    this.intervalMs = Math.min(this.intervalMs * 2, this.maxIntervalMs);
    this.nextSendAt = now + this.intervalMs;
    return "retransmit";
  }
}
