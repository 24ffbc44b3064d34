/**
 * Congestion control and pacing for one path, after RFC 9002 §7 (NewReno: slow start, congestion
 * avoidance, recovery period, persistent congestion) and Jacobson 1988.
 *
 * The sender reports bytes sent (`onSent`), acknowledged (`onAcked`, with the send time of the
 * acknowledged data) and lost (`onLost`, with the send time of the newest lost data); it may send
 * new data while {@link canSend}. The window never falls below 2 datagrams (RFC 9002 §7.2).
 * Pacing (RFC 9002 §7.7): new data leaves at 1.25 · cwnd / SRTT, in bursts of at most
 * `burstDatagrams` (timers in Node fire no finer than ~1 ms, so a burst must cover that gap).
 */

export interface CongestionOptions {
  /** Largest datagram, bytes (max_datagram_size). */
  readonly maxDatagramBytes: number;
  /** Initial window in datagrams (RFC 9002 §7.2: 10). */
  readonly initialWindowDatagrams?: number;
  /** Upper bound of the window, bytes (default 64 MiB; memory safety only). */
  readonly maxWindowBytes?: number;
  /** Largest burst the pacer allows, datagrams (default 10). */
  readonly burstDatagrams?: number;
}

export class CongestionController {
  /** Congestion window, bytes. */
  cwnd: number;
  /** Slow-start threshold, bytes (∞ until the first loss). */
  ssthresh = Number.POSITIVE_INFINITY;
  /** Bytes sent and neither acknowledged nor declared lost. */
  bytesInFlight = 0;
  /** Data sent before this time does not start a new recovery period (RFC 9002 §7.3.2). */
  recoveryStartMs = Number.NEGATIVE_INFINITY;
  /** Congestion events (each halves the window once). */
  congestionEvents = 0;
  private readonly mss: number;
  private readonly minWindow: number;
  private readonly maxWindow: number;
  private readonly burst: number;
  /** Pacer tokens, bytes. */
  private tokens: number;
  private tokensAtMs = Number.NaN;

  constructor(options: CongestionOptions) {
    this.mss = options.maxDatagramBytes;
    this.minWindow = 2 * this.mss;
    this.maxWindow = options.maxWindowBytes ?? 64 * 1024 * 1024;
    const iw = options.initialWindowDatagrams ?? 10;
    // RFC 9002 §7.2: min(10 · max_datagram_size, max(14720, 2 · max_datagram_size)).
    this.cwnd = Math.max(this.minWindow, Math.min(iw * this.mss, Math.max(14720, 2 * this.mss)));
    this.burst = (options.burstDatagrams ?? 10) * this.mss;
    this.tokens = this.burst;
  }

  /** Whether `bytes` of new data fit in the window. */
  canSend(bytes: number): boolean {
    return this.bytesInFlight + bytes <= this.cwnd || this.bytesInFlight === 0;
  }

  /**
   * Time (ms) at which the pacer allows `bytes` more, given SRTT; `nowMs` when allowed already.
   */
  pacedAtMs(nowMs: number, bytes: number, srttMs: number): number {
    this.refill(nowMs, srttMs);
    if (this.tokens >= bytes) return nowMs;
    const rate = this.rateBytesPerMs(srttMs);
    return nowMs + (bytes - this.tokens) / rate;
  }

  onSent(nowMs: number, bytes: number, srttMs: number): void {
    this.refill(nowMs, srttMs);
    this.tokens -= bytes;
    this.bytesInFlight += bytes;
  }

  /** Data sent at `sentAtMs` was acknowledged (RFC 9002 §7.3.1, §7.3.3). */
  onAcked(bytes: number, sentAtMs: number): void {
    this.bytesInFlight = Math.max(0, this.bytesInFlight - bytes);
    if (sentAtMs <= this.recoveryStartMs) return;
    if (this.cwnd < this.ssthresh) this.cwnd += bytes;
    else this.cwnd += (this.mss * bytes) / this.cwnd;
    if (this.cwnd > this.maxWindow) this.cwnd = this.maxWindow;
  }

  /** Data is no longer in flight without being a congestion signal (abandoned message). */
  onDiscarded(bytes: number): void {
    this.bytesInFlight = Math.max(0, this.bytesInFlight - bytes);
  }

  /**
   * Data sent at `sentAtMs` was declared lost. Starts a recovery period unless one covers it
   * (RFC 9002 §7.3.2): ssthresh = cwnd = max(cwnd / 2, minimum window).
   */
  onLost(nowMs: number, bytes: number, sentAtMs: number): void {
    this.bytesInFlight = Math.max(0, this.bytesInFlight - bytes);
    if (sentAtMs <= this.recoveryStartMs) return;
    this.recoveryStartMs = nowMs;
    this.congestionEvents++;
    this.cwnd = Math.max(this.minWindow, this.cwnd / 2);
    this.ssthresh = this.cwnd;
  }

  /** A retransmission timeout fired with nothing acknowledged (persistent congestion, §7.6.2). */
  onPersistentCongestion(nowMs: number): void {
    this.recoveryStartMs = nowMs;
    this.congestionEvents++;
    this.ssthresh = Math.max(this.minWindow, this.cwnd / 2);
    this.cwnd = this.minWindow;
  }

  private rateBytesPerMs(srttMs: number): number {
    return (1.25 * this.cwnd) / Math.max(0.05, srttMs);
  }

  private refill(nowMs: number, srttMs: number): void {
    if (Number.isNaN(this.tokensAtMs)) {
      this.tokensAtMs = nowMs;
      return;
    }
    const dt = nowMs - this.tokensAtMs;
    if (dt <= 0) return;
    this.tokensAtMs = nowMs;
    const cap = Math.max(this.burst, this.cwnd / 4);
    this.tokens = Math.min(cap, this.tokens + dt * this.rateBytesPerMs(srttMs));
  }
}
