/**
 * Round-trip time estimation and the retransmission timeout, RFC 6298 §2–§5.
 *
 * SRTT and RTTVAR follow RFC 6298 §2 (α = 1/8, β = 1/4, K = 4). Two refinements from RFC 9002
 * §5.3: a sample may subtract the time the peer held the message before answering (`heldMs`: a
 * server's execution time, a receiver's ack delay) as long as the result stays above the minimum
 * RTT seen, and `minRttMs` is tracked. Karn's rule (RFC 6298 §3) is the caller's: feed only samples
 * from messages transmitted once.
 *
 * Deviations, on purpose: RFC 6298 §2.4 asks for a 1 s floor on the RTO because of coarse
 * 1980s clocks and delayed acks; Lupine's peers answer within microseconds on a LAN, so the floor
 * (`rtoMinMs`) and the initial RTO before any sample (`rtoInitialMs`) are options, with defaults
 * chosen for LAN and loopback (see docs/protocol.md "Timers").
 */

/** Options of {@link RttEstimator}. */
export interface RttOptions {
  /** RTO before any sample (RFC 6298 §2.1 says 1 s; default 200 ms). */
  readonly rtoInitialMs?: number;
  /** Lower bound of the RTO (default 20 ms). */
  readonly rtoMinMs?: number;
  /** Upper bound of the RTO, also the back-off cap (RFC 6298 §2.5; default 10 s). */
  readonly rtoMaxMs?: number;
  /** Clock granularity G of RFC 6298 §2 (default 1 ms: Node timers). */
  readonly granularityMs?: number;
}

export class RttEstimator {
  /** Smoothed RTT, ms; NaN before the first sample. */
  srttMs = Number.NaN;
  /** RTT variation, ms; NaN before the first sample. */
  rttvarMs = Number.NaN;
  /** Smallest raw sample seen (RFC 9002 §5.2), ms. */
  minRttMs = Number.POSITIVE_INFINITY;
  /** Latest adjusted sample, ms. */
  latestMs = Number.NaN;
  samples = 0;
  readonly rtoInitialMs: number;
  readonly rtoMinMs: number;
  readonly rtoMaxMs: number;
  readonly granularityMs: number;

  constructor(options: RttOptions = {}) {
    this.rtoInitialMs = options.rtoInitialMs ?? 200;
    this.rtoMinMs = options.rtoMinMs ?? 20;
    this.rtoMaxMs = options.rtoMaxMs ?? 10_000;
    this.granularityMs = options.granularityMs ?? 1;
  }

  /**
   * Adds one sample: `rawMs` from first transmission to answer, of which the peer says it held
   * the message `heldMs`. RFC 6298 §2.2 (first sample) and §2.3 (later ones).
   */
  sample(rawMs: number, heldMs = 0): void {
    if (!(rawMs >= 0)) return;
    if (rawMs < this.minRttMs) this.minRttMs = rawMs;
    // RFC 9002 §5.3: subtract the peer's delay only while that keeps the sample ≥ min RTT.
    const adjusted = rawMs - heldMs >= this.minRttMs ? rawMs - heldMs : rawMs;
    this.latestMs = adjusted;
    if (this.samples === 0) {
      this.srttMs = adjusted;
      this.rttvarMs = adjusted / 2;
    } else {
      this.rttvarMs = 0.75 * this.rttvarMs + 0.25 * Math.abs(this.srttMs - adjusted);
      this.srttMs = 0.875 * this.srttMs + 0.125 * adjusted;
    }
    this.samples++;
  }

  /** RTO = SRTT + max(G, 4·RTTVAR), clamped to [rtoMin, rtoMax] (RFC 6298 §2.2–2.4). */
  get rtoMs(): number {
    if (this.samples === 0) return this.rtoInitialMs;
    const rto = this.srttMs + Math.max(this.granularityMs, 4 * this.rttvarMs);
    return Math.min(this.rtoMaxMs, Math.max(this.rtoMinMs, rto));
  }

  /** SRTT, or the initial RTO's share before a sample (for pacing and time thresholds). */
  get smoothedOrInitialMs(): number {
    return this.samples === 0 ? this.rtoInitialMs / 3 : this.srttMs;
  }
}

/**
 * Exponential back-off with jitter and a cap (RFC 6298 §5.5 doubles the RTO; the jitter, as in
 * RFC 8085 §3.1.3, keeps clients that failed together from retrying together).
 *
 * Returns the delay before attempt `attempt` (1 = the first retransmission): `baseMs · 2^(attempt-1)`
 * capped at `capMs`, then multiplied by a uniform factor in [1 − jitter/2, 1 + jitter/2].
 */
export function backoffMs(options: {
  baseMs: number;
  attempt: number;
  capMs: number;
  jitter: number;
  random: number;
}): number {
  const exp = Math.min(30, Math.max(0, options.attempt - 1));
  const raw = Math.min(options.capMs, options.baseMs * 2 ** exp);
  return raw * (1 - options.jitter / 2 + options.jitter * options.random);
}
