/**
 * Writers for each frame type (layouts in `packet.ts` and docs/protocol.md). Each reserves its
 * frame in a {@link DatagramBuilder} — packing it with whatever else goes to the same peer this
 * turn — and writes the body.
 */
import type { DatagramBuilder } from "./datagram-builder.js";
import { FRAGMENT_FIELDS_BYTES, FrameFlag, FrameType } from "./packet.js";
import type { Reassembler } from "./reassembler.js";
import type { SendWindow } from "./send-window.js";

/** Largest number of ranges one Ack or FragmentAck carries. */
export const MAX_ACK_RANGES = 32;

/** A frame with one u32 body field (Working, Probe, NoSuchCall, Reset). */
export function writeU32Frame(b: DatagramBuilder, type: number, value: number): void {
  const at = b.frame(type, 0, 4);
  b.view.setUint32(at, value);
}

/** Hello: empty body. */
export function writeHello(b: DatagramBuilder): void {
  b.frame(FrameType.Hello, 0, 0);
}

/** Welcome: the server's limits — calls per session, request bytes, idle limit (ms). */
export function writeWelcome(
  b: DatagramBuilder,
  maxCallsInFlight: number,
  maxMessageBytes: number,
  sessionIdleMs: number,
) {
  const at = b.frame(FrameType.Welcome, 0, 12);
  b.view.setUint32(at, maxCallsInFlight);
  b.view.setUint32(at + 4, maxMessageBytes);
  b.view.setUint32(at + 8, Math.min(0xffffffff, Math.max(0, Math.floor(sessionIdleMs))));
}

/** Working: call `seq` is executing; `heldUs` since the request arrived (0 for a probe's answer). */
export function writeWorking(b: DatagramBuilder, seq: number, heldUs: number): void {
  const at = b.frame(FrameType.Working, 0, 8);
  b.view.setUint32(at, seq);
  b.view.setUint32(at + 4, Math.min(0xffffffff, Math.round(heldUs)));
}

/** Busy: call `seq` refused; try again after `retryAfterMs`. */
export function writeBusy(b: DatagramBuilder, seq: number, retryAfterMs: number): void {
  const at = b.frame(FrameType.Busy, 0, 8);
  b.view.setUint32(at, seq);
  b.view.setUint32(at + 4, Math.min(0xffffffff, Math.max(0, Math.round(retryAfterMs))));
}

/**
 * A whole (unfragmented) Call or Reply. Reply bodies start with `heldUs`: how long the server held
 * the call before this reply (RFC 9002 §5.3's ack delay, so the client's RTT excludes execution).
 */
export function writeWhole(
  b: DatagramBuilder,
  type: typeof FrameType.Call | typeof FrameType.Reply,
  seq: number,
  heldUs: number,
  data: Uint8Array,
): void {
  const fixed = type === FrameType.Reply ? 8 : 4;
  const at = b.frame(type, 0, fixed + data.length);
  b.view.setUint32(at, seq);
  if (type === FrameType.Reply) b.view.setUint32(at + 4, Math.min(0xffffffff, Math.round(heldUs)));
  b.bytes.set(data, at + fixed);
}

/** Frame body bytes a whole message of `dataBytes` needs. */
export function wholeBodyBytes(type: number, dataBytes: number): number {
  return (type === FrameType.Reply ? 8 : 4) + dataBytes;
}

/** Payload bytes per fragment so that one fragment frame fills a datagram by itself. */
export function fragmentPayloadBytes(maxFrameBody: number): number {
  return maxFrameBody - 8 - FRAGMENT_FIELDS_BYTES;
}

/**
 * One fragment `index` of a message held by `window`; `flags` adds frame flags to `FRAGMENT`
 * (`FrameFlag.AckNow` when `SendWindow.markSent` asks for an ack, else 0).
 */
export function writeFragment(
  b: DatagramBuilder,
  type: typeof FrameType.Call | typeof FrameType.Reply,
  seq: number,
  heldUs: number,
  window: SendWindow,
  index: number,
  flags = 0,
): void {
  const fixed = (type === FrameType.Reply ? 8 : 4) + FRAGMENT_FIELDS_BYTES;
  // The payload is sent from the message itself (gathered), not copied into the datagram.
  const at = b.frameWithTail(type, FrameFlag.Fragment | flags, fixed, window.fragmentViews(index));
  const v = b.view;
  v.setUint32(at, seq);
  let p = at + 4;
  if (type === FrameType.Reply) {
    v.setUint32(p, Math.min(0xffffffff, Math.round(heldUs)));
    p += 4;
  }
  v.setUint32(p, window.totalBytes);
  v.setUint32(p + 4, index);
  v.setUint32(p + 8, window.fragmentSize);
}

/** Ack (client → server): replies for all seq < floor are settled; `ranges` [first, last] above. */
export function writeAck(b: DatagramBuilder, floor: number, ranges: readonly number[]): void {
  const n = Math.min(ranges.length >> 1, MAX_ACK_RANGES);
  const at = b.frame(FrameType.Ack, 0, 4 + 8 * n);
  const v = b.view;
  v.setUint32(at, floor);
  for (let k = 0; k < n; k++) {
    v.setUint32(at + 4 + 8 * k, ranges[2 * k]!);
    v.setUint32(at + 8 + 8 * k, ranges[2 * k + 1]!);
  }
}

/**
 * The FragmentAck of a message being reassembled (a request at the server, a reply at the
 * client): what has arrived in `r`, held `heldMs` since its latest fragment; then `r.acked()`.
 */
export function writeReassemblyAck(
  b: DatagramBuilder,
  seq: number,
  ofReply: boolean,
  heldMs: number,
  r: Reassembler,
): void {
  writeFragmentAck(b, {
    seq,
    ofReply,
    ackDelayUs: Math.max(0, heldMs * 1000),
    cumulative: r.cumulative,
    ranges: r.ackRanges(MAX_ACK_RANGES),
  });
  r.acked();
}

/** FragmentAck: fragments `[0, cumulative)` and `ranges` ([start, end) pairs) of message `seq`. */
export function writeFragmentAck(
  b: DatagramBuilder,
  options: {
    seq: number;
    ofReply: boolean;
    ackDelayUs: number;
    cumulative: number;
    ranges: readonly number[];
  },
): void {
  const n = Math.min(options.ranges.length >> 1, MAX_ACK_RANGES);
  const at = b.frame(FrameType.FragmentAck, options.ofReply ? FrameFlag.OfReply : 0, 12 + 8 * n);
  const v = b.view;
  v.setUint32(at, options.seq);
  v.setUint32(at + 4, Math.min(0xffffffff, Math.round(options.ackDelayUs)));
  v.setUint32(at + 8, options.cumulative);
  for (let k = 0; k < n; k++) {
    v.setUint32(at + 12 + 8 * k, options.ranges[2 * k]!);
    v.setUint32(at + 16 + 8 * k, options.ranges[2 * k + 1]!);
  }
}
