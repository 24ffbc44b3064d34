/**
 * The Lupine datagram format (see `docs/protocol.md` for diagrams): a 20-byte header followed by
 * one or more frames. Packing several frames — calls, replies, acknowledgements for the same peer —
 * into one datagram is how many small calls share the ~9 µs per-datagram cost.
 *
 * ```
 *  0      2   3   4        8                16       20
 *  | magic|ver|flg| crc32  | session id (64) | epoch  | frames ...
 * ```
 *
 * All integers are big-endian (network order). Every frame starts with `type u8, flags u8,
 * length u16` (bytes of body that follow). A receiver skips frame types it does not know (so
 * later versions can add frames) and drops a datagram whose header or frame lengths do not add up.
 *
 * Pure: no I/O, no allocation per frame on the read path ({@link FrameCursor} is reused).
 */

/** `"Lu"`: lets a receiver drop stray traffic before the checksum. */
export const MAGIC = 0x4c75;
/** Protocol version carried in every datagram. */
export const VERSION = 1;
/** Bytes of the datagram header. */
export const HEADER_BYTES = 20;
/** Bytes of a frame header (type, flags, body length). */
export const FRAME_HEADER_BYTES = 4;
/** Largest frame body (the length field is 16 bits). */
export const MAX_FRAME_BODY = 0xffff;

/** Header flag bits. */
export const HeaderFlag = {
  /** Sent by a server (replies, acks, resets); clear in datagrams from clients. */
  FromServer: 0x01,
  /**
   * Reserved for the encrypted mode: the frames area is an AEAD ciphertext, the header is its
   * associated data and the checksum field carries a key/nonce hint instead of a CRC. Version 1
   * receivers drop datagrams with this bit set.
   */
  Sealed: 0x80,
} as const;

/** Frame types. Values are part of the wire format. */
export const FrameType = {
  /** Client → server: open session `session id` (body empty). */
  Hello: 1,
  /**
   * Server → client: session open; body `maxCallsInFlight u32, maxMessageBytes u32,
   * sessionIdleMs u32` (a receiver accepts the first 8 bytes alone: default idle limit).
   */
  Welcome: 2,
  /** Server → client: body `reason u32` ({@link ResetReason}); the header carries the epoch. */
  Reset: 3,
  /** Client → server: a request or one fragment of it. */
  Call: 4,
  /** Server → client: a reply (the acknowledgement of its call) or one fragment of it. */
  Reply: 5,
  /** Client → server: replies received; body `floor u32, ranges (first u32, last u32)*`. */
  Ack: 6,
  /** Either way: fragments of one message received (selective acknowledgement). */
  FragmentAck: 7,
  /**
   * Server → client: call `seq` is being executed (the explicit ack of a long call); body
   * `seq u32, heldUs u32` (time since the request arrived, for the client's RTT sample).
   */
  Working: 8,
  /** Client → server: is call `seq` still being executed? */
  Probe: 9,
  /** Server → client: no call `seq` here; the client sends it again. */
  NoSuchCall: 10,
  /** Server → client: call `seq` refused, not executed; body `seq u32, retryAfterMs u32`. */
  Busy: 11,
} as const;
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

/** Frame flag bits. */
export const FrameFlag = {
  /** Call/Reply: the body carries fragment fields (message bytes, index, fragment size). */
  Fragment: 0x01,
  /** FragmentAck: acknowledges fragments of the reply (clear: of the call). */
  OfReply: 0x02,
  /**
   * Call/Reply fragment: the sender asks for a FragmentAck at once (docs/protocol.md §5, after
   * draft-ietf-quic-ack-frequency's sender-chosen ack frequency). Receivers otherwise ack every
   * 64th fragment or within 2 ms (`MAX_UNACKED_FRAGMENTS`, `FRAGMENT_ACK_DELAY_MS` in
   * reassembler.ts).
   */
  AckNow: 0x04,
} as const;

/** Why a server reset a session. */
export const ResetReason = {
  /** The datagram named a session this server does not have (never opened, or expired). */
  UnknownSession: 1,
  /** The datagram was meant for an earlier incarnation of the server (it restarted). */
  WrongEpoch: 2,
} as const;

/** Bytes of the fragment fields in a fragmented Call/Reply. */
export const FRAGMENT_FIELDS_BYTES = 12;

/** The decoded datagram header. */
export interface Header {
  flags: number;
  sessionHi: number;
  sessionLo: number;
  epoch: number;
}

/**
 * A CRC-style checksum of `data[start, end)` (default: all of it): `(data, previous) → u32`;
 * chains like zlib's `crc32(data, value)`. The range lets a datagram's checksum skip its own
 * field without making views of the datagram.
 */
export type ChecksumFn = (
  data: Uint8Array,
  previous?: number,
  start?: number,
  end?: number,
) => number;

/**
 * Throws a clear error unless `crc` honours the range of {@link ChecksumFn}: a function written
 * for the two-argument form would checksum whole datagrams, checksum field included, and every
 * datagram would be dropped as corrupt, silently. Checked once where a transport is built.
 */
export function assertRangeChecksum(crc: ChecksumFn): void {
  const probe = Uint8Array.of(0x4c, 0x75, 0x70, 0x69, 0x6e, 0x65);
  if (crc(probe, 0, 1, 4) !== crc(probe.subarray(1, 4))) {
    throw new TypeError(
      "crc: a ChecksumFn must checksum data[start, end) when given start and end (reliable/packet.ts)",
    );
  }
}

/**
 * Writes the header at `at` (checksum left zero; {@link sealChecksum} fills it once the frames
 * are written).
 */
export function writeHeader(view: DataView, at: number, h: Header): void {
  view.setUint16(at, MAGIC);
  view.setUint8(at + 2, VERSION);
  view.setUint8(at + 3, h.flags);
  view.setUint32(at + 4, 0);
  view.setUint32(at + 8, h.sessionHi);
  view.setUint32(at + 12, h.sessionLo);
  view.setUint32(at + 16, h.epoch);
}

/** Checksum of a datagram: bytes 0–3, then 8–end (the checksum field itself excluded). */
export function datagramChecksum(d: Uint8Array, crc: ChecksumFn): number {
  return crc(d, crc(d, 0, 0, 4), 8, d.length) >>> 0;
}

/** Fills the checksum field of a finished datagram. */
export function sealChecksum(d: Uint8Array, crc: ChecksumFn): void {
  const v = datagramChecksum(d, crc);
  d[4] = v >>> 24;
  d[5] = (v >>> 16) & 0xff;
  d[6] = (v >>> 8) & 0xff;
  d[7] = v & 0xff;
}

/** Fills the checksum field of a datagram sent as `head` followed by `tail` segments. */
export function sealChecksumSegments(
  head: Uint8Array,
  tail: readonly Uint8Array[],
  crc: ChecksumFn,
): void {
  let v = crc(head, crc(head, 0, 0, 4), 8, head.length);
  for (const t of tail) v = crc(t, v);
  v >>>= 0;
  head[4] = v >>> 24;
  head[5] = (v >>> 16) & 0xff;
  head[6] = (v >>> 8) & 0xff;
  head[7] = v & 0xff;
}

/** Why a datagram was dropped before its frames were read. */
export type HeaderVerdict = "ok" | "short" | "magic" | "version" | "checksum";

/**
 * Checks magic, version, sealed bit and checksum, and fills `out`. Anything but `"ok"` means:
 * drop the datagram and count it (never an exception).
 */
export function readHeader(d: Uint8Array, crc: ChecksumFn, out: Header): HeaderVerdict {
  if (d.length < HEADER_BYTES) return "short";
  if (((d[0]! << 8) | d[1]!) !== MAGIC) return "magic";
  if (d[2] !== VERSION || (d[3]! & HeaderFlag.Sealed) !== 0) return "version";
  const sent = ((d[4]! << 24) | (d[5]! << 16) | (d[6]! << 8) | d[7]!) >>> 0;
  if (sent !== datagramChecksum(d, crc)) return "checksum";
  out.flags = d[3]!;
  out.sessionHi = ((d[8]! << 24) | (d[9]! << 16) | (d[10]! << 8) | d[11]!) >>> 0;
  out.sessionLo = ((d[12]! << 24) | (d[13]! << 16) | (d[14]! << 8) | d[15]!) >>> 0;
  out.epoch = ((d[16]! << 24) | (d[17]! << 16) | (d[18]! << 8) | d[19]!) >>> 0;
  return "ok";
}

/**
 * Walks the frames of a datagram whose header was accepted. Reused across datagrams: call
 * {@link reset}, then {@link next} until it returns false. `malformed` is set when a frame's
 * length runs past the datagram (the rest of the datagram is then ignored).
 */
export class FrameCursor {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  type = 0;
  flags = 0;
  /** Offset of the current frame's body. */
  body = 0;
  /** Length of the current frame's body. */
  length = 0;
  malformed = false;
  private at = 0;

  reset(d: Uint8Array): void {
    this.bytes = d;
    this.view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    this.at = HEADER_BYTES;
    this.malformed = false;
  }

  next(): boolean {
    const d = this.bytes;
    if (this.at + FRAME_HEADER_BYTES > d.length) {
      if (this.at !== d.length) this.malformed = true;
      return false;
    }
    this.type = d[this.at]!;
    this.flags = d[this.at + 1]!;
    this.length = (d[this.at + 2]! << 8) | d[this.at + 3]!;
    this.body = this.at + FRAME_HEADER_BYTES;
    if (this.body + this.length > d.length) {
      this.malformed = true;
      return false;
    }
    this.at = this.body + this.length;
    return true;
  }

  /** The u32 at `offset` bytes into the current body (caller checked `length`). */
  u32(offset: number): number {
    return this.view.getUint32(this.body + offset);
  }
}
