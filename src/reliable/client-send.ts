/**
 * What a {@link ClientSession} writes into its datagrams: requests moved from the queue into the
 * window (whole, or as fragments while the congestion window and the pacer allow),
 * retransmissions, the Ack of settled replies, and FragmentAcks of a fragmented reply. Called by
 * the session's `flush` and by its receive and timer handlers.
 */
import type { ClientCall } from "./client-call.js";
import { ClientState } from "./client-call.js";
import type { ClientSession } from "./client-session.js";
import {
  MAX_ACK_RANGES,
  wholeBodyBytes,
  writeAck,
  writeFragment,
  writeReassemblyAck,
  writeWhole,
} from "./frames.js";
import { FrameFlag, FrameType } from "./packet.js";
import { SendWindow } from "./send-window.js";

/**
 * The client never lets more seqs than this lie between its floor and its next seq, whatever
 * window the server grants: it bounds the memory of the table of sent calls.
 */
const MAX_SEQ_SPAN = 1 << 20;

export class ClientSender {
  private readonly s: ClientSession;

  constructor(session: ClientSession) {
    this.s = session;
  }

  /** Sends a request (or restarts its fragments) again; counts it. */
  retransmit(call: ClientCall): void {
    call.transmissions++;
    this.s.path.counters.retransmissions++;
    if (call.window === null) {
      writeWhole(this.s.builder, FrameType.Call, call.seq, 0, this.payloadOf(call));
    } else {
      call.window.restart(this.s.path);
      if (!this.s.bulk.includes(call)) this.s.bulk.push(call);
    }
  }

  /** Writes the Ack: the floor, and the seqs settled since the last one as ranges above it. */
  writeAckFrame(): void {
    const floor = this.s.floor();
    const seqs = this.s.settledSinceAck;
    this.s.settledSinceAck = [];
    if (seqs.length > 1) seqs.sort((a, b) => a - b);
    const ranges: number[] = [];
    for (const s of seqs) {
      if (s < floor || (ranges.length > 0 && ranges[ranges.length - 1]! >= s)) continue;
      if (ranges.length > 0 && ranges[ranges.length - 1] === s - 1) ranges[ranges.length - 1] = s;
      else if (ranges.length < 2 * MAX_ACK_RANGES) ranges.push(s, s);
    }
    writeAck(this.s.builder, floor, ranges);
    this.s.ackPending = false;
    this.s.ackMs = Number.POSITIVE_INFINITY;
  }

  /** Writes a FragmentAck for the call's reply. */
  ackReplyFragments(nowMs: number, call: ClientCall): void {
    const r = call.reply;
    if (r === null) return;
    writeReassemblyAck(this.s.builder, call.seq, true, nowMs - call.lastHeardMs, r);
    call.fragmentAckMs = Number.POSITIVE_INFINITY;
    this.s.fragmentAckPending = true;
  }

  private payloadOf(call: ClientCall): Uint8Array {
    if (call.chunks.length === 1) return call.chunks[0]!;
    const out = new Uint8Array(call.bytes);
    let at = 0;
    for (const c of call.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /** Moves queued calls into the window (seq assigned) and writes their requests. */
  sendQueued(nowMs: number): void {
    const limit = Math.min(this.s.o.maxCallsInFlight, this.s.serverWindow);
    const single = this.s.builder.maxFrameBody;
    while (this.s.queueHead < this.s.queue.length && this.s.sent.size < limit) {
      const call = this.s.queue[this.s.queueHead]!;
      if (call.state !== ClientState.Queued) {
        // Dequeued entries are cleared so that settled calls are not kept alive.
        this.s.queue[this.s.queueHead++] = undefined as unknown as ClientCall;
        continue;
      }
      if (this.s.nextSeq - this.s.floor() >= Math.min(this.s.serverWindow, MAX_SEQ_SPAN)) break;
      this.s.queue[this.s.queueHead++] = undefined as unknown as ClientCall;
      call.seq = this.s.nextSeq++;
      call.generation = this.s.generation;
      this.s.sent.set(call.seq, call);
      call.state = ClientState.Sent;
      call.attempt = 0;
      call.transmissions++;
      if (Number.isNaN(call.firstSentMs)) call.firstSentMs = nowMs;
      if (wholeBodyBytes(FrameType.Call, call.bytes) <= single && call.window === null) {
        writeWhole(this.s.builder, FrameType.Call, call.seq, 0, this.payloadOf(call));
        call.actionMs = nowMs + this.s.backoff(1);
      } else {
        call.window = new SendWindow(call.chunks, this.s.fragmentBytes);
        this.s.bulk.push(call);
        call.actionMs = Number.POSITIVE_INFINITY;
      }
      this.s.schedule(call);
    }
    if (this.s.queueHead === this.s.queue.length) {
      this.s.queue.length = 0;
      this.s.queueHead = 0;
    } else if (this.s.queueHead > 1024 && this.s.queueHead * 2 > this.s.queue.length) {
      this.s.queue = this.s.queue.slice(this.s.queueHead);
      this.s.queueHead = 0;
    }
  }

  /** Sends request fragments while the congestion window and the pacer allow. */
  sendFragments(nowMs: number): void {
    const path = this.s.path;
    this.s.pacingMs = Number.POSITIVE_INFINITY;
    let progress = true;
    while (progress) {
      progress = false;
      for (const call of this.s.bulk) {
        const w = call.window;
        if (call.state !== ClientState.Sent || w === null) continue;
        const i = w.peekNext();
        if (i < 0) continue;
        const len = w.lengthOf(i);
        if (!path.cc.canSend(len)) {
          this.compactBulk();
          return;
        }
        const at = path.cc.pacedAtMs(nowMs, len, path.rtt.smoothedOrInitialMs);
        if (at > nowMs) {
          this.s.pacingMs = at;
          this.compactBulk();
          return;
        }
        const ackNow = w.markSent(i, nowMs, path) ? FrameFlag.AckNow : 0;
        writeFragment(this.s.builder, FrameType.Call, call.seq, 0, w, i, ackNow);
        if (!Number.isFinite(call.actionMs) || !w.hasWork) {
          this.s.fragmentActionTime(nowMs, call);
          this.s.schedule(call);
        }
        progress = true;
      }
    }
    this.compactBulk();
  }

  private compactBulk(): void {
    this.s.bulk = this.s.bulk.filter(
      (c) => c.state === ClientState.Sent && c.window !== null && c.window.hasWork,
    );
  }
}
