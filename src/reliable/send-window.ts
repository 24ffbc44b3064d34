/**
 * The sending side of one fragmented message: which fragments are unsent, in flight, acknowledged
 * or lost; selective acknowledgements; loss detection and fast retransmit after RFC 9002 §6.1
 * (a fragment is lost once a fragment sent 3 transmissions later is acknowledged, or once it is
 * 9/8 RTT older than an acknowledged one) and a retransmission timeout (RFC 6298 §5) when acks
 * stop. Congestion control and pacing are the {@link Path}'s; this class reports to it.
 *
 * The message stays where the caller put it (`chunks`, e.g. from `XdrWriter.finishChunks()`); a
 * fragment is copied straight into the datagram being built, so a 1 GiB argument is never held
 * twice. Per-fragment state is 14 bytes (typed arrays), bounded by the message size.
 */
import type { Path } from "./path.js";

/** Packet-reordering threshold (RFC 9002 §6.1.1, kPacketThreshold). */
export const PACKET_THRESHOLD = 3;
/** Time-reordering threshold as a fraction of RTT (RFC 9002 §6.1.2, kTimeThreshold = 9/8). */
export const TIME_THRESHOLD = 9 / 8;

// Fragment states (0 = never sent).
const IN_FLIGHT = 1;
const ACKED = 2;
const LOST = 3;

export class SendWindow {
  readonly totalBytes: number;
  readonly fragmentSize: number;
  readonly fragmentCount: number;
  ackedCount = 0;
  /** Transmissions of fragments after their first. */
  retransmissions = 0;
  private readonly chunks: readonly Uint8Array[];
  private readonly chunkStarts: number[];
  private readonly state: Uint8Array;
  private readonly sentAt: Float64Array;
  private readonly tx: Float64Array;
  private readonly sends: Uint8Array;
  /** Never-sent fragments start here. */
  private nextNew = 0;
  /** Fragments to send again, in order found. */
  private lost: number[] = [];
  private lostHead = 0;
  /** In-flight transmissions in transmission order: fragment index and its tx number. */
  private flightIndex: number[] = [];
  private flightTx: number[] = [];
  private flightHead = 0;
  private largestAckedTx = 0;
  /** Last time an ack made progress, or the first send. */
  lastProgressMs = Number.NaN;
  /** Consecutive retransmission timeouts without progress. */
  timeouts = 0;
  /** Transmissions since the last one that asked for an ack (the AckNow flag). */
  private sinceAckAsked = 0;

  constructor(chunks: readonly Uint8Array[], fragmentSize: number) {
    this.chunks = chunks;
    this.chunkStarts = [];
    let total = 0;
    for (const c of chunks) {
      this.chunkStarts.push(total);
      total += c.length;
    }
    this.totalBytes = total;
    this.fragmentSize = fragmentSize;
    this.fragmentCount = Math.max(1, Math.ceil(total / fragmentSize));
    const n = this.fragmentCount;
    this.state = new Uint8Array(n);
    this.sentAt = new Float64Array(n);
    this.tx = new Float64Array(n);
    this.sends = new Uint8Array(n);
  }

  get done(): boolean {
    return this.ackedCount === this.fragmentCount;
  }

  /** Bytes of fragment `i`. */
  lengthOf(i: number): number {
    return Math.min(this.fragmentSize, this.totalBytes - i * this.fragmentSize);
  }

  /** Whether anything is waiting to be sent (lost or never sent). */
  get hasWork(): boolean {
    while (this.lostHead < this.lost.length && this.state[this.lost[this.lostHead]!] !== LOST) {
      this.lostHead++;
    }
    if (this.lostHead === this.lost.length && this.lostHead > 0) {
      this.lost = [];
      this.lostHead = 0;
    }
    return this.lostHead < this.lost.length || this.nextNew < this.fragmentCount;
  }

  /** Whether fragments are in flight (the retransmission timer runs). */
  get inFlight(): boolean {
    this.dropStaleFlight();
    return this.flightHead < this.flightIndex.length;
  }

  /** The next fragment to send (lost ones first), or -1. Does not mark it sent. */
  peekNext(): number {
    if (!this.hasWork) return -1;
    return this.lostHead < this.lost.length ? this.lost[this.lostHead]! : this.nextNew;
  }

  /**
   * Records that fragment `i` is being sent, and tells the path. Returns whether this transmission
   * should ask the receiver for an ack at once (the AckNow flag, docs/protocol.md §5): every
   * `path.cc.ackIntervalDatagrams()`th transmission of this message, and the one after which
   * nothing of it waits to be sent (else the last fragments' ack would wait for the receiver's
   * delay). Retransmissions need no flag: they fill a gap, which the receiver acks at once.
   */
  markSent(i: number, nowMs: number, path: Path): boolean {
    if (this.lostHead < this.lost.length && this.lost[this.lostHead] === i) this.lostHead++;
    else if (i === this.nextNew) this.nextNew++;
    if (this.sends[i]! > 0) {
      this.retransmissions++;
      path.counters.retransmissions++;
    }
    if (this.sends[i]! < 255) this.sends[i]!++;
    this.state[i] = IN_FLIGHT;
    this.sentAt[i] = nowMs;
    const tx = path.txCounter++;
    this.tx[i] = tx;
    this.flightIndex.push(i);
    this.flightTx.push(tx);
    if (Number.isNaN(this.lastProgressMs)) this.lastProgressMs = nowMs;
    path.cc.onSent(nowMs, this.lengthOf(i), path.rtt.smoothedOrInitialMs);
    this.sinceAckAsked++;
    if (this.sinceAckAsked < path.cc.ackIntervalDatagrams() && this.hasWork) return false;
    this.sinceAckAsked = 0;
    return true;
  }

  /** Copies fragment `i` into `dest` at `at`; returns its length. */
  copyFragment(i: number, dest: Uint8Array, at: number): number {
    for (const v of this.fragmentViews(i)) {
      dest.set(v, at);
      at += v.length;
    }
    return this.lengthOf(i);
  }

  /** Fragment `i` as views of the message's segments (one, or more where it spans segments). */
  fragmentViews(i: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let from = i * this.fragmentSize;
    let left = this.lengthOf(i);
    let c = this.chunkAt(from);
    while (left > 0) {
      const chunk = this.chunks[c]!;
      const off = from - this.chunkStarts[c]!;
      const n = Math.min(left, chunk.length - off);
      if (n > 0) out.push(chunk.subarray(off, off + n));
      from += n;
      left -= n;
      c++;
    }
    return out;
  }

  /**
   * Applies a selective ack: every fragment below `cumulative`, and `ranges` as
   * `[start, end)` pairs. Feeds the path's RTT (Karn: only fragments sent once) and congestion
   * controller, then runs loss detection. Returns the number of newly acknowledged fragments.
   */
  onAck(
    nowMs: number,
    path: Path,
    ack: { cumulative: number; ranges: readonly number[]; ackDelayMs: number },
  ): number {
    let newly = 0;
    let newestTx = 0;
    let newestIndex = -1;
    // An ack names a fragment, not a transmission of it. A fragment sent again less than the
    // minimum RTT ago cannot have had its latest transmission acknowledged yet: an earlier one
    // was, and taking the latest's number as acknowledged would declare every fragment sent in
    // between lost (after a probe timeout re-sends a new message's first fragment, that is the
    // whole first flight).
    const youngestAckable = nowMs - Math.min(path.rtt.minRttMs, path.rtt.smoothedOrInitialMs);
    const mark = (i: number) => {
      if (this.state[i] === ACKED) return;
      const wasInFlight = this.state[i] === IN_FLIGHT;
      this.state[i] = ACKED;
      this.ackedCount++;
      newly++;
      if (wasInFlight) path.cc.onAcked(nowMs, this.lengthOf(i), this.sentAt[i]!, path.rtt);
      if (this.sends[i]! > 1 && this.sentAt[i]! > youngestAckable) return;
      if (this.tx[i]! > newestTx) {
        newestTx = this.tx[i]!;
        newestIndex = i;
      }
    };
    const cum = Math.min(ack.cumulative, this.fragmentCount);
    for (let i = this.firstUnackedBelow(cum); i < cum; i++) mark(i);
    for (let r = 0; r + 1 < ack.ranges.length; r += 2) {
      const end = Math.min(ack.ranges[r + 1]!, this.fragmentCount);
      for (let i = ack.ranges[r]!; i < end; i++) mark(i);
    }
    if (newly === 0) return 0;
    this.lastProgressMs = nowMs;
    this.timeouts = 0;
    if (newestTx > this.largestAckedTx) {
      this.largestAckedTx = newestTx;
      if (this.sends[newestIndex] === 1) {
        path.rtt.sample(nowMs - this.sentAt[newestIndex]!, ack.ackDelayMs);
      }
    }
    this.detectLost(nowMs, path);
    return newly;
  }

  /**
   * RFC 9002 §6.1: declares lost the in-flight fragments sent ≥ 3 transmissions before the newest
   * acknowledged one, or long enough before now. Returns when the next one would become lost by
   * time (`+∞` when none waits).
   */
  detectLost(nowMs: number, path: Path): number {
    const rtt = path.rtt;
    const delay = Math.max(
      TIME_THRESHOLD * Math.max(rtt.smoothedOrInitialMs, rtt.latestMs || 0),
      rtt.granularityMs,
    );
    let lossAt = Number.POSITIVE_INFINITY;
    while (this.flightHead < this.flightIndex.length) {
      const i = this.flightIndex[this.flightHead]!;
      const tx = this.flightTx[this.flightHead]!;
      if (this.state[i] !== IN_FLIGHT || this.tx[i] !== tx) {
        this.flightHead++;
        continue;
      }
      if (tx > this.largestAckedTx) break;
      if (tx + PACKET_THRESHOLD <= this.largestAckedTx || this.sentAt[i]! + delay <= nowMs) {
        this.markLost(i, nowMs, path);
        this.flightHead++;
        continue;
      }
      lossAt = this.sentAt[i]! + delay;
      break;
    }
    this.trimFlight();
    return lossAt;
  }

  /**
   * The retransmission timeout fired (no ack progress for an RTO). The first expiry is a probe
   * timeout (RFC 9002 §6.2): the oldest in-flight fragment is sent again, the window is kept.
   * A second expiry in a row is persistent congestion (RFC 9002 §7.6, RFC 6298 §5.4–5.7): every
   * in-flight fragment is lost and the window collapses.
   */
  onTimeout(nowMs: number, path: Path): void {
    this.timeouts++;
    this.lastProgressMs = nowMs;
    if (this.timeouts === 1) {
      this.dropStaleFlight();
      if (this.flightHead < this.flightIndex.length) {
        const i = this.flightIndex[this.flightHead]!;
        this.flightHead++;
        this.state[i] = LOST;
        this.lost.push(i);
        path.cc.onDiscarded(this.lengthOf(i));
      }
      return;
    }
    let any = false;
    for (let h = this.flightHead; h < this.flightIndex.length; h++) {
      const i = this.flightIndex[h]!;
      if (this.state[i] === IN_FLIGHT && this.tx[i] === this.flightTx[h]) {
        this.state[i] = LOST;
        this.lost.push(i);
        path.cc.onDiscarded(this.lengthOf(i));
        any = true;
      }
    }
    this.flightHead = this.flightIndex.length;
    this.trimFlight();
    if (any) path.cc.onPersistentCongestion(nowMs);
  }

  /** Frees the window's share of bytes in flight when the message is abandoned. */
  abandon(path: Path): void {
    for (let h = this.flightHead; h < this.flightIndex.length; h++) {
      const i = this.flightIndex[h]!;
      if (this.state[i] === IN_FLIGHT && this.tx[i] === this.flightTx[h]) {
        this.state[i] = LOST;
        path.cc.onDiscarded(this.lengthOf(i));
      }
    }
    this.flightHead = this.flightIndex.length;
    this.trimFlight();
    this.lost = [];
    this.lostHead = 0;
    this.nextNew = this.fragmentCount;
  }

  /** Sends everything not yet acknowledged again from the start (the peer lost its state). */
  restart(path: Path): void {
    this.abandon(path);
    for (let i = 0; i < this.fragmentCount; i++) {
      if (this.state[i] !== ACKED) {
        this.state[i] = LOST;
        this.lost.push(i);
      }
    }
  }

  private markLost(i: number, nowMs: number, path: Path): void {
    this.state[i] = LOST;
    this.lost.push(i);
    path.cc.onLost(nowMs, this.lengthOf(i), this.sentAt[i]!, path.rtt);
  }

  private firstUnackedBelow(cum: number): number {
    // Fragments below the cumulative point are mostly acknowledged already: skip them fast.
    let i = this.ackFloor;
    while (i < cum && this.state[i] === ACKED) i++;
    this.ackFloor = i;
    return i;
  }
  private ackFloor = 0;

  private dropStaleFlight(): void {
    while (this.flightHead < this.flightIndex.length) {
      const i = this.flightIndex[this.flightHead]!;
      if (this.state[i] === IN_FLIGHT && this.tx[i] === this.flightTx[this.flightHead]) break;
      this.flightHead++;
    }
    this.trimFlight();
  }

  private trimFlight(): void {
    if (this.flightHead > 4096 && this.flightHead * 2 > this.flightIndex.length) {
      this.flightIndex = this.flightIndex.slice(this.flightHead);
      this.flightTx = this.flightTx.slice(this.flightHead);
      this.flightHead = 0;
    }
  }

  private chunkAt(offset: number): number {
    const s = this.chunkStarts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    // Skip empty chunks that start at the same offset.
    while (lo < s.length - 1 && this.chunks[lo]!.length === 0) lo++;
    return lo;
  }
}
