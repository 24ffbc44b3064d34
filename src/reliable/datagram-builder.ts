/**
 * Packs frames for one peer into datagrams of at most `maxDatagramBytes`: the next frame goes into
 * the open datagram if it fits, else the open one is sealed (checksummed) and a new one begun.
 * This is the "many small calls per datagram" mechanism; the owner decides when to {@link take}
 * (once per event-loop turn), so everything produced in one turn shares datagrams.
 *
 * Datagrams are cut from 1 MiB slabs (one allocation serves thousands of small datagrams); a
 * datagram handed out is never written again. A fragment of a large message is not copied into
 * the slab: its datagram is handed out as segments — the headers from the slab, then views of
 * the message itself — which the port sends with one gathering `sendmsg` (no user-space copy,
 * and no fresh slab memory to fault in per byte sent).
 */
import {
  type ChecksumFn,
  FRAME_HEADER_BYTES,
  HEADER_BYTES,
  type Header,
  MAX_FRAME_BODY,
  sealChecksum,
  sealChecksumSegments,
  writeHeader,
} from "./packet.js";

const SLAB_BYTES = 1 << 20;

/** What a builder points at while no datagram is open: it must not keep an old slab alive. */
const NO_SLAB = new Uint8Array(0);
const NO_VIEW = new DataView(NO_SLAB.buffer);

/**
 * Bytes a builder reserves when it opens a datagram; it reserves more as frames need it, up to
 * its datagram size. Reserving a whole 65,507-byte loopback datagram up front would waste most of
 * a slab whenever several builders have datagrams open at once (a server receiving from many
 * sessions in one turn): a slab would serve 16 datagrams instead of hundreds.
 */
const FIRST_RESERVE_BYTES = 2048;

/**
 * Memory that datagrams are cut from, shared by every builder of an endpoint: a builder reserves
 * room while a datagram is open (more as it grows) and gives back the unused tail when it seals
 * (if no other builder reserved after it). Slabs are never reused; old ones die with their
 * datagrams.
 */
export class SlabPool {
  slab = new Uint8Array(SLAB_BYTES);
  view = new DataView(this.slab.buffer);
  at = 0;

  /** Reserves `n` bytes (n ≤ 1 MiB) and returns their start in {@link slab}. */
  reserve(n: number): number {
    if (this.at + n > this.slab.length) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.view = new DataView(this.slab.buffer);
      this.at = 0;
    }
    const start = this.at;
    this.at += n;
    return start;
  }

  /**
   * Grows the reservation `[start, start+n)` of `slab` to `m` bytes in place, if it is the last
   * one and the slab has room; returns whether it did.
   */
  extend(slab: Uint8Array, start: number, n: number, m: number): boolean {
    if (slab !== this.slab || start + n !== this.at || start + m > slab.length) return false;
    this.at = start + m;
    return true;
  }

  /** Gives back the tail of the reservation `[start, start+n)` past `used` when still possible. */
  shrink(slab: Uint8Array, start: number, n: number, used: number): void {
    if (slab === this.slab && start + n === this.at) this.at = (start + used + 7) & ~7;
  }
}

/** A built datagram: one array, or segments to be sent as one datagram (gather). */
export type Datagram = Uint8Array | readonly Uint8Array[];

/** Bytes in a datagram. */
export function datagramLength(d: Datagram): number {
  if (d instanceof Uint8Array) return d.length;
  let n = 0;
  for (const s of d) n += s.length;
  return n;
}

/** A datagram as one array (copies a segmented one; for tests and tools). */
export function joinDatagram(d: Datagram): Uint8Array {
  if (d instanceof Uint8Array) return d;
  const out = new Uint8Array(datagramLength(d));
  let at = 0;
  for (const s of d) {
    out.set(s, at);
    at += s.length;
  }
  return out;
}

export class DatagramBuilder {
  /** Header written at the start of every datagram (epoch and flags may change between turns). */
  readonly header: Header;
  private readonly maxBytes: number;
  private readonly crc: ChecksumFn;
  private readonly pool: SlabPool;
  private slab: Uint8Array;
  private slabView: DataView;
  /** Start of the open datagram in the slab, or -1 when none is open. */
  private start = -1;
  private at = 0;
  /** Bytes reserved for the open datagram, from `start` (at most `maxBytes`). */
  private reserved = 0;
  /** Segments that end the open datagram (a fragment's payload), or null. */
  private tail: Uint8Array[] | null = null;
  private out: Datagram[] = [];
  /** Datagrams sealed since construction. */
  datagrams = 0;
  /** Called on every new datagram before its first frame (e.g. a Hello until welcomed). */
  onOpen: ((b: DatagramBuilder) => void) | null = null;

  constructor(options: {
    maxDatagramBytes: number;
    crc: ChecksumFn;
    header: Header;
    pool?: SlabPool;
  }) {
    if (options.maxDatagramBytes < HEADER_BYTES + FRAME_HEADER_BYTES + 32) {
      throw new RangeError(`maxDatagramBytes ${options.maxDatagramBytes} is too small`);
    }
    this.maxBytes = Math.min(options.maxDatagramBytes, SLAB_BYTES);
    this.crc = options.crc;
    this.header = options.header;
    this.pool = options.pool ?? new SlabPool();
    this.slab = NO_SLAB;
    this.slabView = NO_VIEW;
  }

  /** Largest frame body that fits in an empty datagram. */
  get maxFrameBody(): number {
    return Math.min(MAX_FRAME_BODY, this.maxBytes - HEADER_BYTES - FRAME_HEADER_BYTES);
  }

  /** Bytes of frame body that still fit in the open datagram (0 when none is open). */
  get roomInOpen(): number {
    if (this.start < 0 || this.tail !== null) return 0;
    return Math.max(0, this.maxBytes - (this.at - this.start) - FRAME_HEADER_BYTES);
  }

  /** True while a datagram has frames not yet handed out. */
  get pending(): boolean {
    return this.start >= 0 || this.out.length > 0;
  }

  /**
   * Reserves a frame of `bodyBytes` and returns the slab offset where its body starts; the
   * caller writes the body through {@link view}/{@link bytes} before the next call.
   */
  frame(type: number, flags: number, bodyBytes: number): number {
    return this.reserveFrame(type, flags, bodyBytes, bodyBytes);
  }

  /**
   * Reserves a frame whose body is `fixedBytes` written by the caller (at the returned slab
   * offset, as with {@link frame}) followed by `tail`, which is sent by reference: the frame
   * ends its datagram. `tail` must stay unchanged until the datagram has been sent.
   */
  frameWithTail(type: number, flags: number, fixedBytes: number, tail: Uint8Array[]): number {
    let tailBytes = 0;
    for (const t of tail) tailBytes += t.length;
    const at = this.reserveFrame(type, flags, fixedBytes + tailBytes, fixedBytes);
    this.tail = tail;
    return at;
  }

  /**
   * Writes a frame header for a body of `bodyBytes`, of which the first `slabBytes` go in the
   * slab (the rest is a tail sent by reference), and returns where the body starts.
   */
  private reserveFrame(type: number, flags: number, bodyBytes: number, slabBytes: number): number {
    if (bodyBytes > this.maxFrameBody) throw new RangeError(`frame body ${bodyBytes} too big`);
    if (
      this.start >= 0 &&
      (this.tail !== null || this.at - this.start + FRAME_HEADER_BYTES + bodyBytes > this.maxBytes)
    ) {
      this.seal();
    }
    if (this.start < 0) {
      this.open();
      if (this.onOpen !== null) this.onOpen(this);
    }
    const needed = this.at - this.start + FRAME_HEADER_BYTES + slabBytes;
    if (needed > this.reserved) this.grow(needed);
    const s = this.slab;
    const at = this.at;
    s[at] = type;
    s[at + 1] = flags;
    s[at + 2] = bodyBytes >>> 8;
    s[at + 3] = bodyBytes & 0xff;
    this.at = at + FRAME_HEADER_BYTES + slabBytes;
    return at + FRAME_HEADER_BYTES;
  }

  /** The slab that {@link frame} offsets point into. */
  get bytes(): Uint8Array {
    return this.slab;
  }

  get view(): DataView {
    return this.slabView;
  }

  /** Opens a datagram (running {@link onOpen}) unless one is open. */
  ensureOpen(): void {
    if (this.start >= 0) return;
    this.open();
    if (this.onOpen !== null) this.onOpen(this);
  }

  /** Seals the open datagram (if any) so the next frame starts a new one. */
  seal(): void {
    if (this.start < 0) return;
    const head = this.slab.subarray(this.start, this.at);
    const tail = this.tail;
    if (tail === null) {
      sealChecksum(head, this.crc);
      this.out.push(head);
    } else {
      sealChecksumSegments(head, tail, this.crc);
      this.out.push([head, ...tail]);
      this.tail = null;
    }
    this.datagrams++;
    this.pool.shrink(this.slab, this.start, this.reserved, this.at - this.start);
    this.start = -1;
  }

  /**
   * Seals the open datagram and hands out everything built since the last call. The builder
   * then lets go of its slab (the next datagram takes the pool's current one): an idle session
   * would otherwise pin a whole 1 MiB slab, long retired by the pool, for as long as it lives —
   * with 10,000 idle sessions, tens of MiB.
   */
  take(): Datagram[] {
    this.seal();
    const out = this.out;
    this.out = [];
    this.slab = NO_SLAB;
    this.slabView = NO_VIEW;
    return out;
  }

  private open(): void {
    this.reserved = Math.min(this.maxBytes, FIRST_RESERVE_BYTES);
    this.start = this.pool.reserve(this.reserved);
    this.slab = this.pool.slab;
    this.slabView = this.pool.view;
    writeHeader(this.slabView, this.start, this.header);
    this.at = this.start + HEADER_BYTES;
  }

  /**
   * Makes the open datagram's reservation at least `needed` bytes (≤ maxBytes): in place when
   * possible, else by moving what is written so far to a larger reservation (a datagram handed
   * out is never written again, so nothing refers to the old place).
   */
  private grow(needed: number): void {
    let m = this.reserved;
    while (m < needed) m *= 2;
    m = Math.min(m, this.maxBytes);
    if (this.pool.extend(this.slab, this.start, this.reserved, m)) {
      this.reserved = m;
      return;
    }
    const used = this.at - this.start;
    const start = this.pool.reserve(m);
    const slab = this.pool.slab;
    slab.set(this.slab.subarray(this.start, this.at), start);
    this.pool.shrink(this.slab, this.start, this.reserved, 0);
    this.slab = slab;
    this.slabView = this.pool.view;
    this.start = start;
    this.at = start + used;
    this.reserved = m;
  }
}
