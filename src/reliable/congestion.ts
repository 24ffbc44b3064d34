/**
 * Congestion control and pacing for one path, after RFC 9002 §7 (NewReno: slow start, congestion
 * avoidance, recovery period, persistent congestion) and Jacobson 1988.
 *
 * One refinement, on by default (`lossTolerant`): a loss halves the window only when the path
 * shows congestion — a standing queue (every RTT sample of the last round trip above the minimum
 * RTT by more than `max(queueDelayMs, minRtt/2)`: a queue delays every packet of a round, while
 * scheduling jitter delays only some, so the round's smallest sample is the evidence) or a heavy
 * loss rate (over `lossRateThreshold` of the bytes resolved lately — a moving average over the
 * last {@link LOSS_WINDOW_DATAGRAMS} datagrams' worth acknowledged or lost, so that random loss
 * never reads as heavy: a rate taken over a part of one round trip would). Isolated losses on an
 * unqueued path (radio, a lossy link) are repaired without slowing down; a flow that builds a
 * queue backs off on delay before the queue overflows, so it takes no more than its share beside
 * loss-based TCP. The delay response needs the queue in two round trips in a row, in slow start
 * (which it ends, as HyStart++, RFC 9406 §4.2, ends it on a delay increase) and in congestion
 * avoidance (where it trims the window by 15%): a receiver or sender descheduled for a few tens of
 * milliseconds delays every ack of one round, but a queue at a bottleneck stays. In congestion
 * avoidance the window grows BIC-style (see `increasePerRoundTrip`): back towards where it stood
 * before the last cut, then probing beyond it faster and faster. With `lossTolerant: false` every
 * loss event halves and growth is Reno's (RFC 9002 §7.3.3).
 *
 * The sender reports bytes sent (`onSent`), acknowledged (`onAcked`, with the send time of the
 * acknowledged data) and lost (`onLost`, with the send time of the newest lost data); it may send
 * new data while {@link canSend}. The window never falls below 2 datagrams (RFC 9002 §7.2).
 * Pacing (RFC 9002 §7.7): new data leaves at 1.25 · cwnd / SRTT, in bursts of at most
 * `burstDatagrams` (timers in Node fire no finer than ~1 ms, so a burst must cover that gap).
 */

/** RTT samples a round trip needs before its smallest one counts as queue evidence. */
export const MIN_ROUND_SAMPLES = 4;
/** Largest window increase per round trip in congestion avoidance, datagrams (BIC's S_max). */
export const MAX_INCREASE_DATAGRAMS = 16;
/** The loss rate is averaged over about this many datagrams' worth of acknowledged or lost data. */
export const LOSS_WINDOW_DATAGRAMS = 64;
/** Largest number of fragments a sender lets go between two requests for an ack (AckNow). */
export const MAX_ACK_INTERVAL_DATAGRAMS = 32;
/** The sender asks for at least this many acks per congestion window (see `ackIntervalDatagrams`). */
export const ACKS_PER_WINDOW = 8;

export interface CongestionOptions {
  /** Largest datagram, bytes (max_datagram_size). */
  readonly maxDatagramBytes: number;
  /** Initial window in datagrams (RFC 9002 §7.2: 10). */
  readonly initialWindowDatagrams?: number;
  /** Upper bound of the window, bytes (default 64 MiB; memory safety only). */
  readonly maxWindowBytes?: number;
  /** Largest burst the pacer allows, datagrams (default 10). */
  readonly burstDatagrams?: number;
  /** Halve only on congestion evidence, not on every loss (default true). */
  readonly lossTolerant?: boolean;
  /** Queueing delay that counts as congestion, ms (default 4). */
  readonly queueDelayMs?: number;
  /** Loss rate in a round trip that counts as congestion (default 0.1). */
  readonly lossRateThreshold?: number;
}

/** What the controller needs to know about the path's RTT (an `RttEstimator`). */
export interface RttView {
  readonly srttMs: number;
  readonly latestMs: number;
  readonly minRttMs: number;
  readonly samples: number;
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
  /** Losses repaired without a window reduction (no congestion evidence). */
  toleratedLosses = 0;
  /** Why the window was reduced: a queue, a heavy loss rate, persistent congestion (RTOs). */
  readonly reductions = { queue: 0, lossRate: 0, timeout: 0, loss: 0 };
  /** Moving average of the fraction of bytes lost (see the class comment). */
  lossRate = 0;
  /** Bytes acknowledged or lost so far (the average counts once this reaches its window). */
  private resolvedBytes = 0;
  private readonly lossTolerant: boolean;
  private readonly queueDelayMs: number;
  private readonly lossRateThreshold: number;
  private roundEndMs = Number.NEGATIVE_INFINITY;
  /** Complete round trips in a row whose smallest RTT sample showed a queue. */
  private queuedRounds = 0;
  /** The estimator's minimum RTT when last looked at. */
  private minRttMs = Number.POSITIVE_INFINITY;
  /** Smallest RTT sample of the current and of the last round trip, and how many were taken. */
  private roundMinRttMs = Number.POSITIVE_INFINITY;
  private roundRttSamples = 0;
  private lastRoundMinRttMs = Number.POSITIVE_INFINITY;
  private lastRoundRttSamples = 0;
  /** The estimator's sample count when last looked at (a new sample shows as a change). */
  private seenRttSamples = 0;
  private lastCause: "queue" | "loss" = "loss";
  /** The window before the last reduction (0: none yet). */
  private wmax = 0;
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
    this.lossTolerant = options.lossTolerant ?? true;
    this.queueDelayMs = options.queueDelayMs ?? 4;
    this.lossRateThreshold = options.lossRateThreshold ?? 0.1;
  }

  /**
   * Whether the path shows a standing queue: the smallest RTT sample of the last complete round
   * trip (at least {@link MIN_ROUND_SAMPLES} of them) exceeds the minimum RTT by more than
   * `max(queueDelayMs, minRtt/2)`.
   */
  queueing(rtt: RttView): boolean {
    this.observe(rtt);
    return rtt.samples >= MIN_ROUND_SAMPLES && this.lastRoundQueued();
  }

  private lastRoundQueued(): boolean {
    if (this.lastRoundRttSamples < MIN_ROUND_SAMPLES) return false;
    const limit = Math.max(this.queueDelayMs, this.minRttMs / 2);
    return this.lastRoundMinRttMs - this.minRttMs > limit;
  }

  /** Takes the estimator's latest sample into the current round, once. */
  private observe(rtt: RttView): void {
    this.minRttMs = rtt.minRttMs;
    if (rtt.samples === this.seenRttSamples) return;
    this.seenRttSamples = rtt.samples;
    if (rtt.latestMs < this.roundMinRttMs) this.roundMinRttMs = rtt.latestMs;
    this.roundRttSamples++;
  }

  /** Folds `bytes` acknowledged (`lost` false) or lost into the moving loss rate. */
  private resolve(bytes: number, lost: boolean): void {
    const w = Math.min(1, bytes / (LOSS_WINDOW_DATAGRAMS * this.mss));
    this.lossRate += w * ((lost ? 1 : 0) - this.lossRate);
    this.resolvedBytes += bytes;
  }

  /** Whether a loss now is a congestion signal. */
  private congested(rtt: RttView): boolean {
    if (!this.lossTolerant) {
      this.reductions.loss++;
      this.lastCause = "loss";
      return true;
    }
    if (this.queueing(rtt)) {
      this.reductions.queue++;
      this.lastCause = "queue";
      return true;
    }
    this.lastCause = "loss";
    // Judged only once the average spans its whole window.
    if (this.resolvedBytes < LOSS_WINDOW_DATAGRAMS * this.mss) return false;
    if (this.lossRate <= this.lossRateThreshold) return false;
    this.reductions.lossRate++;
    return true;
  }

  /**
   * How many fragments the sender lets go between two that ask for an ack at once (the AckNow
   * flag; docs/protocol.md §5): `cwnd / (8 · max_datagram_size)`, between 2 and
   * {@link MAX_ACK_INTERVAL_DATAGRAMS}. Eight acks per window keep the ack clock and the window's
   * growth smooth (growth counts bytes, not acks: RFC 9002 §7.3), give each round trip well over
   * {@link MIN_ROUND_SAMPLES} RTT samples, and keep at least one fragment that asks for an ack in
   * flight whenever the window is full, so a window-limited sender never waits on the receiver's
   * ack delay. A window of 10 datagrams (slow start's first round trips) gets an ack every second
   * fragment, as RFC 9000 §13.2.2 recommends; a window of 256 datagrams or more, one every 32nd
   * (Chromium's ack decimation takes 10; Linux TCP with GRO acks up to 64 KiB, 44 segments, at
   * once). Each datagram costs both ends CPU; on a 20 ms path at 25 MB/s a window holds ~400.
   */
  ackIntervalDatagrams(): number {
    const n = Math.floor(this.cwnd / (ACKS_PER_WINDOW * this.mss));
    return Math.max(2, Math.min(MAX_ACK_INTERVAL_DATAGRAMS, n));
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
    if (nowMs >= this.roundEndMs) {
      this.lastRoundMinRttMs = this.roundMinRttMs;
      this.lastRoundRttSamples = this.roundRttSamples;
      this.roundMinRttMs = Number.POSITIVE_INFINITY;
      this.roundRttSamples = 0;
      this.queuedRounds = this.lastRoundQueued() ? this.queuedRounds + 1 : 0;
      this.roundEndMs = nowMs + Math.max(1, srttMs);
    }
  }

  /**
   * Data sent at `sentAtMs` was acknowledged (RFC 9002 §7.3.1, §7.3.3). With `lossTolerant`, a
   * standing queue (two round trips in a row) ends slow start (HyStart++'s delay signal, RFC 9406
   * §4.2) and, in congestion avoidance, trims the window by 15% once per round trip (a delay-based
   * response, gentler than a loss's).
   */
  onAcked(nowMs: number, bytes: number, sentAtMs: number, rtt?: RttView): void {
    this.bytesInFlight = Math.max(0, this.bytesInFlight - bytes);
    if (rtt !== undefined) this.observe(rtt);
    this.resolve(bytes, false);
    if (sentAtMs <= this.recoveryStartMs) return;
    if (this.lossTolerant && rtt !== undefined && this.queueing(rtt) && this.queuedRounds >= 2) {
      if (this.cwnd < this.ssthresh) {
        // Slow start ends on a queue seen in two round trips in a row; growth then probes
        // from here as from a reduction's window (`wmax`): slowly at first.
        this.ssthresh = this.cwnd;
        this.wmax = this.cwnd;
        return;
      }
      this.reductions.queue++;
      this.congestionEvents++;
      this.recoveryStartMs = nowMs;
      this.wmax = this.cwnd;
      this.cwnd = Math.max(this.minWindow, this.cwnd * 0.85);
      this.ssthresh = this.cwnd;
      return;
    }
    if (this.cwnd < this.ssthresh) this.cwnd += bytes;
    else this.cwnd += (this.increasePerRoundTrip() * bytes) / this.cwnd;
    if (this.cwnd > this.maxWindow) this.cwnd = this.maxWindow;
  }

  /** Data is no longer in flight without being a congestion signal (abandoned message). */
  onDiscarded(bytes: number): void {
    this.bytesInFlight = Math.max(0, this.bytesInFlight - bytes);
  }

  /**
   * Data sent at `sentAtMs` was declared lost. Starts a recovery period unless one covers it
   * (RFC 9002 §7.3.2) — when the loss is a congestion signal (see the class comment):
   * ssthresh = cwnd = max(cwnd · β, minimum window), β = 0.7 with a queue, else 0.5.
   */
  onLost(nowMs: number, bytes: number, sentAtMs: number, rtt?: RttView): void {
    this.bytesInFlight = Math.max(0, this.bytesInFlight - bytes);
    if (rtt !== undefined) this.observe(rtt);
    this.resolve(bytes, true);
    if (sentAtMs <= this.recoveryStartMs) return;
    if (rtt !== undefined && !this.congested(rtt)) {
      this.toleratedLosses++;
      return;
    }
    this.recoveryStartMs = nowMs;
    this.congestionEvents++;
    // A loss with a standing queue behind it: ×0.7 (CUBIC's β); a heavy or plain loss: ×0.5.
    const factor = this.lastCause === "queue" ? 0.7 : 0.5;
    this.wmax = this.cwnd;
    this.cwnd = Math.max(this.minWindow, this.cwnd * factor);
    this.ssthresh = this.cwnd;
  }

  /**
   * Window growth per round trip in congestion avoidance, after BIC (Xu, Harfoush and Rhee 2004):
   * below where the window stood before the last reduction or the end of slow start (`wmax`),
   * half the distance back (binary search); above it, the distance beyond it ("max probing":
   * one datagram just past `wmax`, then doubling each round trip); always between one and
   * {@link MAX_INCREASE_DATAGRAMS} datagrams. Reno's one datagram per round trip would take a
   * loss-tolerant flow, cut mostly for transient queues, seconds to fill a 20 ms path again (a
   * window of 400 datagrams grows by 0.25% per round trip). Against a standing queue the cuts
   * repeat every round trip and `wmax` falls with them, so the flow still yields to loss-based
   * TCP. Without `lossTolerant`: Reno's one datagram.
   */
  private increasePerRoundTrip(): number {
    if (!this.lossTolerant) return this.mss;
    const distance = this.cwnd >= this.wmax ? this.cwnd - this.wmax : (this.wmax - this.cwnd) / 2;
    return Math.max(this.mss, Math.min(distance, MAX_INCREASE_DATAGRAMS * this.mss));
  }

  /** A retransmission timeout fired with nothing acknowledged (persistent congestion, §7.6.2). */
  onPersistentCongestion(nowMs: number): void {
    this.reductions.timeout++;
    this.recoveryStartMs = nowMs;
    this.congestionEvents++;
    this.ssthresh = Math.max(this.minWindow, this.cwnd / 2);
    this.wmax = this.ssthresh;
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
