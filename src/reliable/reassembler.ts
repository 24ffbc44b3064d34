/**
 * The receiving side of one fragmented message (docs/protocol.md §5): checks each fragment against
 * the message's declared size and fragment size, drops duplicates, keeps the set of received
 * fragments as sorted ranges for selective acknowledgements, and holds the bytes received — never
 * more memory than those bytes justify, whatever size the first fragment claims.
 *
 * Memory. The bytes go into one contiguous buffer that starts empty and grows geometrically, but
 * only to at most `max(REASSEMBLY_INITIAL_BYTES, 2 × bytes received)`; a fragment beyond that (far
 * ahead of what has arrived) is copied on its own and moved into the buffer once it has grown
 * past it. So what a reassembly holds is at most ~3× the bytes received plus 64 KiB, and one
 * datagram claiming a 2 GiB message costs a few KiB, not 2 GiB. When the last fragment arrives the
 * buffer is exactly `messageBytes`: the finished message is that one buffer, which the XDR reader
 * returns opaques as views into, so a 1 GiB argument is held once. The buffer grows by copying
 * (the old and the new buffer briefly held together, 1.5× at the last doubling) up to
 * {@link WHOLE_FROM_BYTES}. A message that must grow past that (2 MiB of it have arrived) is
 * copied once more, and then grows in place: a message of at least {@link FRESH_MAPPING_BYTES} in
 * one allocation of its whole size, of which the store is a growing view (the allocator maps it
 * fresh, so its zero pages stay uncommitted until written, and only the store's range is
 * written); being `malloc`'s memory, it gets transparent huge pages where the process asks for
 * them (docs/lupine.md "Receiving big messages"). A smaller one, or one whose whole size cannot be
 * allocated, in a resizable `ArrayBuffer` (address space reserved, memory committed as it grows);
 * failing that, the buffer goes on growing by copying.
 *
 * The caller charges {@link Reassembler.footprintBytes} to its budget, and passes the room left in
 * it to {@link Reassembler.accept}: a fragment that would grow the footprint past it is refused
 * ("full"; the sender retransmits it later).
 *
 * Streaming (docs/protocol.md §5.1). {@link Reassembler.startStream} turns a reassembly whose first
 * fragment has arrived into a stream: from then on the bytes in order are queued for a reader
 * ({@link Reassembler.takeStream}) instead of stored, fragments ahead of them are held apart
 * until the gap before them fills, and a fragment more than the stream's window beyond what the
 * reader has taken is refused ("full"), so a slow reader holds the sender back (its refused
 * fragments look lost) rather than growing memory. {@link Reassembler.discardStream} drops what
 * is queued and whatever arrives later, still acknowledging it.
 *
 * Acknowledgements. {@link Reassembler.ackDue} says when the receiver's FragmentAck should leave
 * (docs/protocol.md §5: at once on what the sender asks, gaps, fills, duplicates and completion;
 * else every {@link MAX_UNACKED_FRAGMENTS}th fragment or within {@link FRAGMENT_ACK_DELAY_MS}).
 */

import { PACKET_THRESHOLD } from "./send-window.js";

/** What became of one fragment: "full" = not stored, the caller's reassembly budget is used up. */
export type FragmentVerdict = "new" | "duplicate" | "invalid" | "full";

/** The buffer a reassembly may hold before 2× the bytes received passes it (64 KiB). */
export const REASSEMBLY_INITIAL_BYTES = 64 * 1024;
/** Gap fills remembered between two FragmentAcks (see {@link Reassembler.ackRanges}). */
export const MAX_RECENT_FILLS = 32;

/**
 * A receiver acks after this many new fragments in order even when the sender asks for no ack
 * (twice the largest interval a sender asks for, `MAX_ACK_INTERVAL_DATAGRAMS`).
 */
export const MAX_UNACKED_FRAGMENTS = 64;

/**
 * An owed FragmentAck leaves at most this long after the first fragment it acknowledges. The
 * receiver need not know the RTT: the sender asks for the acks it needs (AckNow), and this bound
 * only covers a sender that stops between two asks, or the loss of the fragment that asked. A
 * tenth of the 20 ms path of the benchmarks, a tenth of the RTO's floor (20 ms), and about the
 * time 32 fragments take at 25 MB/s, so it seldom fires before the sender's ask.
 */
export const FRAGMENT_ACK_DELAY_MS = 2;

/**
 * Largest chunk a streaming reassembly hands its reader (the bytes in order are copied into
 * chunks of this size as they come; docs/protocol.md §5.1).
 */
export const STREAM_CHUNK_BYTES = 256 * 1024;

/**
 * Fragments at least this large reach a streaming reader as views of their datagrams when the
 * port hands each datagram over as a buffer of its own (`startStream`'s `datagramsOwned`): the
 * copy would cost more than the reader's extra reads. Smaller ones (Ethernet-sized) are copied
 * into chunks, which a reader takes in fewer, larger reads.
 */
export const KEEP_VIEWS_FROM_BYTES = 16 * 1024;

/** Book-keeping bytes counted per fragment held apart (the map entry and view). */
const SPILL_OVERHEAD_BYTES = 64;

const EMPTY = new Uint8Array(0);

/**
 * A store that must grow past this many bytes moves into one allocation of the whole message
 * (or a resizable `ArrayBuffer` reserved at its size) instead of a buffer copied at each
 * doubling: for a 1 GiB message the copies cost as much as the transfer itself. Not before: a
 * datagram that merely claims a big message must not make the process allocate (or V8 count) it.
 */
export const WHOLE_FROM_BYTES = 4 * 1024 * 1024;

/**
 * Messages at least this large may be reassembled in one allocation of their whole size: glibc
 * maps every allocation above 32 MiB fresh (the ceiling of its dynamic mmap threshold on 64-bit),
 * so such a buffer commits memory only where it is written (checked 2026-11-27: 48 and 64 MiB
 * allocated after freed ones of up to 40 MiB had raised the threshold, RSS +0.1 MB each). A
 * smaller one could come from the heap, zero-filled (committed) at once, whatever has arrived.
 */
export const FRESH_MAPPING_BYTES = 64 * 1024 * 1024;

/**
 * One zero-filled allocation of `bytes` (pages untouched until written: the allocator maps a
 * buffer this large fresh), or null if the process cannot have it.
 */
function allocateWhole(bytes: number): Uint8Array | null {
  try {
    return new Uint8Array(bytes);
  } catch {
    return null; // RangeError: the allocation failed
  }
}

/** A resizable `ArrayBuffer` (ES2024; the compile target's library predates it). */
interface GrowableBuffer extends ArrayBuffer {
  readonly maxByteLength: number;
  resize(bytes: number): void;
}
const Growable = ArrayBuffer as unknown as new (
  bytes: number,
  options: { maxByteLength: number },
) => GrowableBuffer;

/** A resizable buffer of length 0 that may grow to `maxBytes`, or null where the runtime has none. */
function reserve(maxBytes: number): GrowableBuffer | null {
  try {
    const b = new Growable(0, { maxByteLength: maxBytes });
    return typeof b.resize === "function" && b.maxByteLength === maxBytes ? b : null;
  } catch {
    return null; // no address space to reserve: grow by copying instead
  }
}

export class Reassembler {
  readonly messageBytes: number;
  readonly fragmentSize: number;
  readonly fragmentCount: number;
  receivedCount = 0;
  /** Payload bytes received (distinct fragments). */
  receivedBytes = 0;
  /** Received ranges `[start, end)` of fragment indexes, sorted and disjoint, flattened. */
  private ranges: number[] = [];
  /** Bytes `[0, store.length)` of the message; grows, ends at `messageBytes`. */
  private store: Uint8Array = EMPTY;
  /** Fragments beyond `store`, by index, until it grows past them. */
  private readonly spilled = new Map<number, Uint8Array>();
  private spilledBytes = 0;
  /** The store's memory once it is a view of the whole message (see {@link WHOLE_FROM_BYTES}). */
  private whole: Uint8Array | null = null;
  /** Or the store's memory when it grows in place in a resizable buffer. */
  private growable: GrowableBuffer | null = null;
  private readonly allocate: (bytes: number) => Uint8Array | null;
  /** New fragments since the last FragmentAck. */
  private unacked = 0;
  /** New fragments after which the next ack is due because a gap opened (0: none pending). */
  private gapAckAfter = 0;
  /** The fragment being judged opened a new gap (set by {@link ackDue}, used by {@link acked}). */
  private openedGap = false;
  /**
   * Fragments accepted since the last FragmentAck below the highest range (gaps filled: mostly
   * retransmissions), at most {@link MAX_RECENT_FILLS}; their ranges lead the next ack.
   */
  private recentFills: number[] = [];
  /** Streaming: full chunks of in-order bytes waiting for the reader (null: not streaming). */
  private streamQueue: Uint8Array[] | null = null;
  /** Bytes in `streamQueue`. */
  private queuedBytes = 0;
  /**
   * Streaming: the chunk being filled with bytes in order; `[chunkStart, chunkFill)` of it are
   * not yet taken (what came before `chunkStart` is the reader's).
   */
  private chunk: Uint8Array = EMPTY;
  private chunkStart = 0;
  private chunkFill = 0;
  /** Streaming: fragments reach the reader as views of their datagrams (see startStream). */
  private keepViews = false;
  /** Streaming: fragments held apart are views of their datagrams, not copies. */
  private holdViews = false;
  /** Streaming: bytes `[0, streamedBytes)` have been queued or handed out (unused once discarding). */
  private streamedBytes = 0;
  /** Streaming: bytes `[0, takenBytes)` the reader has taken; the window starts there. */
  private takenBytes = 0;
  private streamWindowBytes = 0;
  private discarding = false;

  /** `allocate`: how the whole message's buffer is allocated (tests make it fail). */
  constructor(
    messageBytes: number,
    fragmentSize: number,
    allocate: (bytes: number) => Uint8Array | null = allocateWhole,
  ) {
    this.allocate = allocate;
    this.messageBytes = messageBytes;
    this.fragmentSize = fragmentSize;
    this.fragmentCount = Math.max(1, Math.ceil(messageBytes / fragmentSize));
  }

  /** Memory this reassembly holds now, bytes (what the caller's limits count). */
  get footprintBytes(): number {
    return (
      this.store.length +
      this.queuedBytes +
      this.chunk.length -
      this.chunkStart +
      this.spilledBytes +
      SPILL_OVERHEAD_BYTES * this.spilled.size +
      8 * this.ranges.length
    );
  }

  get complete(): boolean {
    return this.receivedCount === this.fragmentCount;
  }

  /** The message, once {@link complete}: one buffer of `messageBytes`. */
  get buffer(): Uint8Array {
    return this.store;
  }

  /** Whether `messageBytes`/`fragmentSize` of a fragment match this message. */
  matches(messageBytes: number, fragmentSize: number): boolean {
    return messageBytes === this.messageBytes && fragmentSize === this.fragmentSize;
  }

  /**
   * Stores fragment `index` from `data[from, from+length)`, unless doing so would grow
   * {@link footprintBytes} by more than `roomBytes` (then "full", nothing changed).
   */
  accept(
    index: number,
    data: Uint8Array,
    from: number,
    length: number,
    roomBytes = Number.POSITIVE_INFINITY,
  ): FragmentVerdict {
    if (index >= this.fragmentCount) return "invalid";
    const start = index * this.fragmentSize;
    const expected = Math.min(this.fragmentSize, this.messageBytes - start);
    if (length !== expected) return "invalid";
    if (this.has(index)) return "duplicate";
    const end = start + length;
    if (this.streamQueue !== null) {
      if (!this.acceptStreamed(index, start, end, data.subarray(from, from + length), roomBytes))
        return "full";
      this.accepted(index, length);
      return "new";
    }
    const last = this.receivedCount + 1 === this.fragmentCount;
    const allowed = last
      ? this.messageBytes
      : Math.min(
          this.messageBytes,
          Math.max(REASSEMBLY_INITIAL_BYTES, 2 * (this.receivedBytes + length)),
        );
    const fragment = data.subarray(from, from + length);
    if (end > allowed) {
      // Far ahead of what has arrived (never the last fragment: then `allowed` is the message).
      if (length + SPILL_OVERHEAD_BYTES + 16 > roomBytes) return "full";
      this.spilled.set(index, Uint8Array.from(fragment));
      this.spilledBytes += length;
    } else {
      if (end > this.store.length || (last && this.store.length < this.messageBytes)) {
        const target = last
          ? this.messageBytes
          : Math.min(allowed, Math.max(end, 2 * this.store.length));
        if (!this.grow(target, roomBytes)) return "full";
      }
      this.store.set(fragment, start);
    }
    this.accepted(index, length);
    return "new";
  }

  /** Book-keeping of a fragment just stored (or queued, or discarded). */
  private accepted(index: number, length: number): void {
    this.receivedCount++;
    this.receivedBytes += length;
    this.addToRanges(index);
    const r = this.ranges;
    if (index < r[r.length - 2]! && this.recentFills.length < MAX_RECENT_FILLS) {
      this.recentFills.push(index);
    }
  }

  /** Bytes received contiguously from 0. */
  private get cumulativeBytes(): number {
    return Math.min(this.messageBytes, this.cumulative * this.fragmentSize);
  }

  /** The request's first bytes in order that the store holds (a view; before {@link startStream}). */
  get head(): Uint8Array {
    return this.store.subarray(0, Math.min(this.cumulativeBytes, this.store.length));
  }

  /** Whether this reassembly has become a stream ({@link startStream}). */
  get streaming(): boolean {
    return this.streamQueue !== null;
  }

  /**
   * Turns the reassembly into a stream and returns the bytes received in order so far (at least
   * the first fragment: call only once {@link cumulative} > 0). From now on bytes in order are
   * queued for {@link takeStream}; a fragment ending more than `windowBytes` beyond what the
   * reader has taken is refused ("full"). Fragments already held beyond the gap stay, each apart.
   * `datagramsOwned`: the buffers given to {@link accept} from now on are the reassembly's to
   * keep; fragments held apart are then views of them, not copies, and so are the fragments in
   * order of a message whose fragments are at least {@link KEEP_VIEWS_FROM_BYTES}.
   */
  startStream(windowBytes: number, datagramsOwned = false): Uint8Array {
    const fs = this.fragmentSize;
    // The fragments in order that the store holds (a later one may be held apart).
    let inOrder = Math.min(this.cumulative, Math.floor(this.store.length / fs));
    if (this.complete && this.store.length >= this.messageBytes) inOrder = this.fragmentCount;
    const r = this.ranges;
    for (let k = 0; k < r.length; k += 2) {
      for (let i = Math.max(r[k]!, inOrder); i < r[k + 1]!; i++) {
        const at = i * fs;
        const end = Math.min(at + fs, this.messageBytes);
        if (end > this.store.length || this.spilled.has(i)) continue;
        const f = this.store.slice(at, end);
        this.spilled.set(i, f);
        this.spilledBytes += f.length;
      }
    }
    const headBytes = Math.min(this.messageBytes, inOrder * fs);
    let head = this.store.subarray(0, headBytes);
    // Do not keep a big buffer alive for a small head.
    if (head.buffer.byteLength > 2 * head.length + REASSEMBLY_INITIAL_BYTES) head = head.slice();
    this.store = EMPTY;
    this.whole = null;
    this.growable = null;
    this.streamQueue = [];
    this.keepViews = datagramsOwned && this.fragmentSize >= KEEP_VIEWS_FROM_BYTES;
    this.holdViews = datagramsOwned;
    this.streamWindowBytes = windowBytes;
    this.streamedBytes = headBytes;
    this.takenBytes = headBytes;
    this.queueHeldFrom(inOrder);
    return head;
  }

  /**
   * Moves the bytes queued in order into `into` (each chunk the reader's to keep) and opens the
   * window by as much; returns how many bytes were moved.
   */
  takeStream(into: Uint8Array[]): number {
    const q = this.streamQueue;
    if (q === null) return 0;
    for (const c of q) into.push(c);
    q.length = 0;
    const tail = this.chunkFill - this.chunkStart;
    if (tail > 0) into.push(this.chunk.subarray(this.chunkStart, this.chunkFill));
    this.chunkStart = this.chunkFill;
    const moved = this.queuedBytes + tail;
    this.queuedBytes = 0;
    this.takenBytes = this.streamedBytes;
    return moved;
  }

  /** Drops every byte held and every byte still to come (fragments are still acknowledged). */
  discardStream(): void {
    if (this.streamQueue === null) return;
    this.discarding = true;
    this.streamQueue.length = 0;
    this.queuedBytes = 0;
    this.chunk = EMPTY;
    this.chunkStart = 0;
    this.chunkFill = 0;
    this.spilled.clear();
    this.spilledBytes = 0;
    this.streamWindowBytes = Number.POSITIVE_INFINITY;
  }

  /** A fragment of a stream: queued if next in order, else held apart; false if refused. */
  private acceptStreamed(
    index: number,
    start: number,
    end: number,
    fragment: Uint8Array,
    roomBytes: number,
  ): boolean {
    if (end > this.takenBytes + this.streamWindowBytes) return false;
    if (this.discarding) return true;
    if (start !== this.streamedBytes) {
      if (fragment.length + SPILL_OVERHEAD_BYTES + 16 > roomBytes) return false;
      this.spilled.set(index, this.holdViews ? fragment : fragment.slice());
      this.spilledBytes += fragment.length;
      return true;
    }
    const grows = !this.keepViews && this.chunkFill + fragment.length > this.chunk.length;
    if ((grows ? this.nextChunkBytes(fragment.length) : 0) + 16 > roomBytes) return false;
    this.append(fragment);
    this.queueHeldFrom(index + 1);
    return true;
  }

  /** Size of the chunk to start for `length` more bytes in order. */
  private nextChunkBytes(length: number): number {
    return Math.max(length, Math.min(STREAM_CHUNK_BYTES, this.messageBytes - this.streamedBytes));
  }

  /**
   * Copies bytes that come next in order into the chunk being filled, starting a new chunk when
   * they do not fit (the full one goes to the queue): the reader gets chunks of up to
   * {@link STREAM_CHUNK_BYTES}, not one per fragment, when it reads less often than fragments
   * arrive (a gap filled on a lossy path releases hundreds at once).
   */
  private append(bytes: Uint8Array): void {
    if (this.keepViews) {
      // The fragment's own datagram, kept: no copy.
      this.streamQueue!.push(bytes);
      this.queuedBytes += bytes.length;
      this.streamedBytes += bytes.length;
      return;
    }
    if (this.chunkFill + bytes.length > this.chunk.length) {
      const tail = this.chunkFill - this.chunkStart;
      if (tail > 0) {
        this.streamQueue!.push(this.chunk.subarray(this.chunkStart, this.chunkFill));
        this.queuedBytes += tail;
      }
      this.chunk = new Uint8Array(this.nextChunkBytes(bytes.length));
      this.chunkStart = 0;
      this.chunkFill = 0;
    }
    this.chunk.set(bytes, this.chunkFill);
    this.chunkFill += bytes.length;
    this.streamedBytes += bytes.length;
  }

  /** Queues the fragments held apart that follow in order from fragment `next`. */
  private queueHeldFrom(next: number): void {
    for (; ; next++) {
      const f = this.spilled.get(next);
      if (f === undefined) return;
      this.spilled.delete(next);
      this.spilledBytes -= f.length;
      this.append(f);
    }
  }

  /** Fragments received contiguously from 0. */
  get cumulative(): number {
    const r = this.ranges;
    return r.length > 0 && r[0] === 0 ? r[1]! : 0;
  }

  /**
   * Whether fragment `index` (just accepted) arrived out of order: it did not extend the highest
   * run of fragments by one, so it opened a gap, filled one, or is the first. A receiver acks such
   * a fragment at once (RFC 9000 §13.2.1) and otherwise every second one (§13.2.2), also while an
   * older gap waits for its retransmission: on a lossy path a gap is nearly always open, and an
   * ack per fragment would double the datagrams both ends handle without telling the sender more.
   */
  outOfOrder(index: number): boolean {
    const r = this.ranges;
    const n = r.length;
    return n < 2 || r[n - 1] !== index + 1 || r[n - 2]! >= index;
  }

  /**
   * Whether a FragmentAck should leave now, after fragment `index` was accepted as `verdict`
   * ("new" or "duplicate"), `ackNow` telling whether its frame carried the AckNow flag
   * (docs/protocol.md §5). At once: the message is complete; a duplicate (the sender missed an
   * ack); a fragment out of order ({@link outOfOrder}: RFC 9000 §13.2.1); the sender asked; the
   * {@link PACKET_THRESHOLD}th fragment past a gap that opened since the last ack (so the sender
   * declares the missing one lost as soon as packet-threshold detection allows, RFC 9002 §6.1.1);
   * the {@link MAX_UNACKED_FRAGMENTS}th new fragment. Otherwise the caller arms a timer of
   * {@link FRAGMENT_ACK_DELAY_MS} (if none runs) and calls {@link acked} when any ack leaves.
   */
  ackDue(index: number, verdict: "new" | "duplicate", ackNow: boolean): boolean {
    if (verdict === "duplicate" || this.complete) return true;
    this.unacked++;
    if (this.outOfOrder(index)) {
      const r = this.ranges;
      // A new gap: the fragment is alone in the highest range, above fragment 0.
      this.openedGap = index > 0 && r[r.length - 2] === index && r[r.length - 1] === index + 1;
      return true;
    }
    return (
      ackNow ||
      (this.gapAckAfter > 0 && this.unacked >= this.gapAckAfter) ||
      this.unacked >= MAX_UNACKED_FRAGMENTS
    );
  }

  /** A FragmentAck of this message was just written (whatever caused it). */
  acked(): void {
    this.unacked = 0;
    this.recentFills.length = 0;
    // The ack of the fragment past a new gap counts as the first of PACKET_THRESHOLD.
    this.gapAckAfter = this.openedGap ? PACKET_THRESHOLD - 1 : 0;
    this.openedGap = false;
  }

  /**
   * The ranges above the cumulative point, at most `max` of them, as flattened `[start, end)`
   * pairs (what a FragmentAck carries): first those holding a fragment that filled a gap since
   * the last ack, most recent first, then the rest highest first. The sender keeps what each ack
   * told it, so a range need only be reported once after it changed (RFC 2018 §4: the block
   * holding the newest segment first, then the most recently reported ones). Highest first
   * alone, a range that a retransmission extends below the `max` highest ones goes unreported
   * while many gaps are open (a 64 MiB transfer at 2% loss had up to 92); the sender, seeing
   * fragments sent later acknowledged, declares that retransmission lost and sends it again.
   */
  ackRanges(max: number): number[] {
    const r = this.ranges;
    const out: number[] = [];
    const low = r.length > 0 && r[0] === 0 ? 2 : 0;
    if (r.length - low <= 2 * max) {
      for (let k = r.length - 2; k >= low; k -= 2) out.push(r[k]!, r[k + 1]!);
      return out;
    }
    const taken = new Set<number>();
    for (let f = this.recentFills.length - 1; f >= 0 && out.length < 2 * max; f--) {
      const k = this.search(this.recentFills[f]! + 1);
      if (k < low || k >= r.length || taken.has(k)) continue;
      taken.add(k);
      out.push(r[k]!, r[k + 1]!);
    }
    for (let k = r.length - 2; k >= low && out.length < 2 * max; k -= 2) {
      if (!taken.has(k)) out.push(r[k]!, r[k + 1]!);
    }
    return out;
  }

  /**
   * Replaces the buffer by one of `bytes`, moving in the spilled fragments it now covers; false
   * (nothing changed) if the footprint would grow by more than `roomBytes`.
   */
  private grow(bytes: number, roomBytes: number): boolean {
    let freed = 0;
    for (const [i, f] of this.spilled) {
      if (i * this.fragmentSize + f.length <= bytes) freed += f.length + SPILL_OVERHEAD_BYTES;
    }
    // 16: the range pair the new fragment may add.
    if (bytes - this.store.length - freed + 16 > roomBytes) return false;
    const next = this.resized(bytes);
    this.store = next;
    for (const [i, f] of this.spilled) {
      const at = i * this.fragmentSize;
      if (at + f.length > bytes) continue;
      next.set(f, at);
      this.spilled.delete(i);
      this.spilledBytes -= f.length;
    }
    return true;
  }

  /**
   * The store grown to `bytes`: a longer view of the whole message's allocation, or of a resizable
   * `ArrayBuffer` reserved at `messageBytes`, once the store has passed {@link WHOLE_FROM_BYTES}
   * (what arrived is copied there once, and never again); else a new buffer with the old bytes
   * copied in.
   */
  private resized(bytes: number): Uint8Array {
    if (this.whole !== null) return this.whole.subarray(0, bytes);
    if (this.growable === null && bytes > WHOLE_FROM_BYTES && bytes < this.messageBytes) {
      const whole =
        this.messageBytes >= FRESH_MAPPING_BYTES ? this.allocate(this.messageBytes) : null;
      if (whole !== null) {
        whole.set(this.store);
        this.whole = whole;
        return whole.subarray(0, bytes);
      }
      const growable = reserve(this.messageBytes);
      if (growable !== null) {
        growable.resize(this.store.length);
        new Uint8Array(growable).set(this.store);
        this.growable = growable;
      }
    }
    if (this.growable !== null) {
      this.growable.resize(bytes);
      return new Uint8Array(this.growable, 0, bytes);
    }
    const next = new Uint8Array(bytes);
    next.set(this.store);
    return next;
  }

  /** Index of the first range pair whose end ≥ `i` (binary search), times 2. */
  private search(i: number): number {
    const r = this.ranges;
    let lo = 0;
    let hi = r.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[2 * mid + 1]! < i) lo = mid + 1;
      else hi = mid;
    }
    return 2 * lo;
  }

  private has(i: number): boolean {
    const k = this.search(i + 1);
    const r = this.ranges;
    return k < r.length && r[k]! <= i && i < r[k + 1]!;
  }

  private addToRanges(i: number): void {
    const r = this.ranges;
    const k = this.search(i);
    if (k < r.length && r[k + 1] === i) {
      r[k + 1] = i + 1;
      if (k + 2 < r.length && r[k + 2] === i + 1) r.splice(k + 1, 2);
    } else if (k < r.length && r[k] === i + 1) {
      r[k] = i;
    } else {
      r.splice(k, 0, i, i + 1);
    }
  }
}
