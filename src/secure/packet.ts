/**
 * Wire formats of the secure transport's packets (proposed in `docs/security.md`), modelled on
 * WireGuard's (paper §5.4): a type byte, three zero bytes, then fixed fields, big-endian.
 *
 * ```
 * initiation (148)   type=1 | 0 0 0 | sender index u32 | ephemeral 32 | static 32+16
 *                    | timestamp 12+16 | mac1 16 | mac2 16
 * response (61+n)    type=2 | 0 0 0 | sender index u32 | receiver index u32 | ephemeral 32
 *                    | payload (status 1 + n)+16
 * cookie reply (40)  type=3 | 0 0 0 | receiver index u32 | cookie 16 | tag 16
 * data (32+n)        type=4 | 0 0 0 | receiver index u32 | counter u64 | payload n + tag 16
 * session unknown(8) type=5 | 0 0 0 | receiver index u32 (unauthenticated hint)
 * ```
 *
 * Parsers check lengths and reserved bytes before looking at anything else and return `null` for
 * anything malformed; they never throw and never allocate more than a subarray.
 */
import { readU32, readU64, writeU32, writeU64 } from "./bytes.js";

/** Packet types (first byte). */
export const PacketType = {
  Initiation: 1,
  Response: 2,
  CookieReply: 3,
  Data: 4,
  SessionUnknown: 5,
} as const;
/** One of {@link PacketType}'s values. */
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** AEAD tag bytes. */
export const TAG_LENGTH = 16;
/** mac1, mac2 and cookie bytes. */
export const MAC_LENGTH = 16;
/** Initiation timestamp bytes: u64 seconds + u32 nanoseconds (TAI64N-like). */
export const TIMESTAMP_LENGTH = 12;
/** The Noise IK first message: e (32) + encrypted s (48) + encrypted timestamp (28). */
export const INITIATION_NOISE_LENGTH = 32 + 32 + TAG_LENGTH + TIMESTAMP_LENGTH + TAG_LENGTH;
/** Bytes of an initiation (148, as WireGuard's). */
export const INITIATION_LENGTH = 8 + INITIATION_NOISE_LENGTH + 2 * MAC_LENGTH;
/** Where mac1 starts: it covers the bytes before it; mac2 covers everything before mac2. */
export const MAC1_OFFSET = 8 + INITIATION_NOISE_LENGTH;
/** Where mac2 starts in an initiation. */
export const MAC2_OFFSET = MAC1_OFFSET + MAC_LENGTH;
/** Response header bytes before the Noise message. */
export const RESPONSE_HEADER_LENGTH = 12;
/** Smallest response: header + e + encrypted one-byte status. */
export const RESPONSE_MIN_LENGTH = RESPONSE_HEADER_LENGTH + 32 + 1 + TAG_LENGTH;
/** Bytes of a cookie reply (40). */
export const COOKIE_REPLY_LENGTH = 8 + MAC_LENGTH + MAC_LENGTH;
/** Bytes of a data packet's header (type, reserved, receiver index, counter): its AEAD associated data. */
export const DATA_HEADER_LENGTH = 16;
/** Bytes a data packet adds to its payload. */
export const DATA_OVERHEAD = DATA_HEADER_LENGTH + TAG_LENGTH;
/** Bytes of a "session unknown" hint. */
export const SESSION_UNKNOWN_LENGTH = 8;

/** The packet type of a datagram, or `null` if it is none of ours or its reserved bytes are set. */
export function packetType(datagram: Uint8Array): PacketType | null {
  if (datagram.length < 8 || datagram[1] !== 0 || datagram[2] !== 0 || datagram[3] !== 0)
    return null;
  const type = datagram[0];
  return type !== undefined && type >= 1 && type <= 5 ? (type as PacketType) : null;
}

function header(type: PacketType, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out[0] = type;
  return out;
}

/** The fields of a parsed initiation (subarrays of the datagram). */
export interface Initiation {
  readonly senderIndex: number;
  /** The Noise message (e, s, payload). */
  readonly noise: Uint8Array;
  readonly mac1: Uint8Array;
  readonly mac2: Uint8Array;
}

/** An initiation with zero macs (the cookie code fills them in place). */
export function buildInitiation(senderIndex: number, noise: Uint8Array): Uint8Array {
  if (noise.length !== INITIATION_NOISE_LENGTH) throw new RangeError("bad IK message length");
  const out = header(PacketType.Initiation, INITIATION_LENGTH);
  writeU32(out, 4, senderIndex);
  out.set(noise, 8);
  return out;
}

/** Parses an initiation; `null` unless it is exactly 148 bytes of type 1 with zero reserved bytes. */
export function parseInitiation(d: Uint8Array): Initiation | null {
  if (d.length !== INITIATION_LENGTH || packetType(d) !== PacketType.Initiation) return null;
  return {
    senderIndex: readU32(d, 4),
    noise: d.subarray(8, MAC1_OFFSET),
    mac1: d.subarray(MAC1_OFFSET, MAC2_OFFSET),
    mac2: d.subarray(MAC2_OFFSET, INITIATION_LENGTH),
  };
}

/** The fields of a parsed handshake response. */
export interface Response {
  readonly senderIndex: number;
  readonly receiverIndex: number;
  readonly noise: Uint8Array;
}

/** A handshake response around a Noise message. */
export function buildResponse(
  senderIndex: number,
  receiverIndex: number,
  noise: Uint8Array,
): Uint8Array {
  const out = header(PacketType.Response, RESPONSE_HEADER_LENGTH + noise.length);
  writeU32(out, 4, senderIndex);
  writeU32(out, 8, receiverIndex);
  out.set(noise, RESPONSE_HEADER_LENGTH);
  return out;
}

/** `maxLength` bounds what a client will look at (its configured largest response). */
export function parseResponse(d: Uint8Array, maxLength: number): Response | null {
  if (d.length < RESPONSE_MIN_LENGTH || d.length > maxLength) return null;
  if (packetType(d) !== PacketType.Response) return null;
  return {
    senderIndex: readU32(d, 4),
    receiverIndex: readU32(d, 8),
    noise: d.subarray(RESPONSE_HEADER_LENGTH),
  };
}

/** The fields of a parsed cookie reply. */
export interface CookieReply {
  readonly receiverIndex: number;
  readonly cookie: Uint8Array;
  readonly tag: Uint8Array;
  /** The bytes the tag covers, before the mac1 it answers. */
  readonly tagged: Uint8Array;
}

/** A cookie reply with a zero tag (the cookie code fills it in). */
export function buildCookieReply(receiverIndex: number, cookie: Uint8Array): Uint8Array {
  const out = header(PacketType.CookieReply, COOKIE_REPLY_LENGTH);
  writeU32(out, 4, receiverIndex);
  out.set(cookie, 8);
  return out;
}

/** Parses a cookie reply; `null` unless it is exactly 40 bytes of type 3. */
export function parseCookieReply(d: Uint8Array): CookieReply | null {
  if (d.length !== COOKIE_REPLY_LENGTH || packetType(d) !== PacketType.CookieReply) return null;
  return {
    receiverIndex: readU32(d, 4),
    cookie: d.subarray(8, 8 + MAC_LENGTH),
    tag: d.subarray(8 + MAC_LENGTH),
    tagged: d.subarray(0, 8 + MAC_LENGTH),
  };
}

/** The header fields of a data packet. */
export interface DataHeader {
  readonly receiverIndex: number;
  /** The packet counter (the AEAD nonce), or -1 if it exceeds 2^53 - 1. */
  readonly counter: number;
}

/** Writes a data header into the first 16 bytes of `out`. */
export function writeDataHeader(out: Uint8Array, receiverIndex: number, counter: number): void {
  out[0] = PacketType.Data;
  out[1] = 0;
  out[2] = 0;
  out[3] = 0;
  writeU32(out, 4, receiverIndex);
  writeU64(out, 8, counter);
}

/** Parses a data packet's header; `null` if shorter than 32 bytes or not type 4. */
export function parseDataHeader(d: Uint8Array): DataHeader | null {
  if (d.length < DATA_OVERHEAD || packetType(d) !== PacketType.Data) return null;
  return { receiverIndex: readU32(d, 4), counter: readU64(d, 8) };
}

/** A "session unknown" hint naming `receiverIndex`. */
export function buildSessionUnknown(receiverIndex: number): Uint8Array {
  const out = header(PacketType.SessionUnknown, SESSION_UNKNOWN_LENGTH);
  writeU32(out, 4, receiverIndex);
  return out;
}

/** Parses a "session unknown" hint; `null` unless exactly 8 bytes of type 5. */
export function parseSessionUnknown(d: Uint8Array): { receiverIndex: number } | null {
  if (d.length !== SESSION_UNKNOWN_LENGTH || packetType(d) !== PacketType.SessionUnknown)
    return null;
  return { receiverIndex: readU32(d, 4) };
}

/** Encodes a wall-clock time (ms since the Unix epoch) as the 12-byte initiation timestamp. */
export function encodeTimestamp(wallClockMs: number, bumpNs = 0): Uint8Array {
  const out = new Uint8Array(TIMESTAMP_LENGTH);
  const seconds = Math.floor(wallClockMs / 1000);
  const nanos = Math.floor((wallClockMs - seconds * 1000) * 1e6) + bumpNs;
  writeU64(out, 0, seconds + Math.floor(nanos / 1e9));
  writeU32(out, 8, nanos % 1e9);
  return out;
}

/** Orders two timestamps: negative, zero or positive as `a` is earlier, equal or later. */
export function compareTimestamps(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < TIMESTAMP_LENGTH; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
