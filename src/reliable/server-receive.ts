/**
 * The receive path of a {@link ServerEndpoint}: session lookup and the epoch check, then each
 * frame — Hello, Ack, Call (whole or fragment), Probe, FragmentAck of a reply — applied to the
 * session's calls (what they send back goes through `server-send.ts`). Nothing here throws on bad
 * input: a malformed datagram is dropped and counted.
 */

import { DatagramBuilder } from "./datagram-builder.js";
import {
  writeBusy,
  writeFragmentAck,
  writeU32Frame,
  writeWelcome,
  writeWhole,
  writeWorking,
} from "./frames.js";
import {
  FRAGMENT_FIELDS_BYTES,
  FrameCursor,
  FrameFlag,
  FrameType,
  type Header,
  HeaderFlag,
  ResetReason,
  readHeader,
} from "./packet.js";
import { FRAGMENT_ACK_DELAY_MS, REASSEMBLY_INITIAL_BYTES, Reassembler } from "./reassembler.js";
import type { ServerEndpoint } from "./server-endpoint.js";
import type { ServerSender } from "./server-send.js";
import { ServerCall, ServerSession, ServerState, sessionKey } from "./server-session.js";

export class ServerReceiver {
  private readonly e: ServerEndpoint;
  private readonly header: Header = { flags: 0, sessionHi: 0, sessionLo: 0, epoch: 0 };
  private readonly cursor = new FrameCursor();
  /** The session of the latest datagram (checked by id, and not closed, before it is used). */
  private lastSession: ServerSession | null = null;

  private readonly sender: ServerSender;

  constructor(endpoint: ServerEndpoint, sender: ServerSender) {
    this.e = endpoint;
    this.sender = sender;
  }

  receive(nowMs: number, data: Uint8Array, peer: unknown): void {
    const e = this.e;
    const h = this.header;
    if (readHeader(data, e.crc, h) !== "ok") {
      e.counters.corruptDropped++;
      return;
    }
    if ((h.flags & HeaderFlag.FromServer) !== 0) return;
    e.counters.datagramsReceived++;
    const c = this.cursor;
    c.reset(data);
    // The session of the previous datagram first: most datagrams come in runs from one client.
    let s = this.lastSession;
    if (s === null || s.closed || s.sessionLo !== h.sessionLo || s.sessionHi !== h.sessionHi) {
      s = e.sessions.get(sessionKey(h.sessionHi, h.sessionLo)) ?? null;
      if (s !== null && s.sessionHi !== h.sessionHi) s = null;
    }
    const hasHello = data.length >= 24 && data[20] === FrameType.Hello;
    if (h.epoch !== e.epoch && !(h.epoch === 0 && hasHello)) {
      this.reset(peer, h, ResetReason.WrongEpoch);
      return;
    }
    if (s === null) {
      if (!hasHello) {
        this.reset(peer, h, ResetReason.UnknownSession);
        return;
      }
      if (e.sessions.size >= e.o.maxSessions) {
        e.counters.sessionsRefused++;
        return;
      }
      const datagramBytes = e.datagramBytesOf(peer);
      s = new ServerSession({
        sessionHi: h.sessionHi,
        sessionLo: h.sessionLo,
        path: e.newPath(datagramBytes),
        builder: new DatagramBuilder({
          maxDatagramBytes: datagramBytes,
          crc: e.crc,
          header: {
            flags: HeaderFlag.FromServer,
            sessionHi: h.sessionHi,
            sessionLo: h.sessionLo,
            epoch: e.epoch,
          },
          pool: e.pool,
        }),
        peer,
        nowMs,
      });
      e.sessions.set(sessionKey(h.sessionHi, h.sessionLo), s);
    }
    this.lastSession = s;
    s.peer = peer;
    s.lastHeardMs = nowMs;
    s.path.counters.datagramsReceived++;
    s.path.counters.bytesReceived += data.length;
    while (c.next()) {
      if (c.type === FrameType.Hello) {
        writeWelcome(s.builder, e.o.maxCallsPerSession, e.o.maxMessageBytes, e.o.sessionIdleMs);
        e.markDirty(s);
        continue;
      }
      if (h.epoch === 0 || c.length < 4) continue; // first contact: never execute anything
      switch (c.type) {
        case FrameType.Call:
          this.onCall(nowMs, s, c);
          break;
        case FrameType.Ack:
          this.onAck(s, c);
          break;
        case FrameType.Probe:
          this.onProbe(nowMs, s, c.u32(0));
          break;
        case FrameType.FragmentAck:
          if ((c.flags & FrameFlag.OfReply) !== 0) this.onFragmentAck(nowMs, s, c);
          break;
        default:
          break;
      }
    }
    if (c.malformed) e.counters.corruptDropped++;
  }

  private reset(peer: unknown, h: Header, reason: number): void {
    const e = this.e;
    const b = e.control;
    b.header.sessionHi = h.sessionHi;
    b.header.sessionLo = h.sessionLo;
    writeU32Frame(b, FrameType.Reset, reason);
    for (const d of b.take()) e.controlOut.push({ d, to: peer });
    e.counters.resetsSent++;
  }

  private busy(s: ServerSession, seq: number): void {
    const e = this.e;
    e.counters.busySent++;
    writeBusy(s.builder, seq, e.o.busyRetryAfterMs);
    e.markDirty(s);
  }

  private onCall(nowMs: number, s: ServerSession, c: FrameCursor): void {
    const e = this.e;
    const seq = c.u32(0);
    const fragment = (c.flags & FrameFlag.Fragment) !== 0;
    if (fragment && c.length < 4 + FRAGMENT_FIELDS_BYTES) return;
    if (seq < s.floor) {
      e.counters.duplicatesDropped++;
      s.path.counters.duplicatesDropped++;
      return;
    }
    let call = s.calls.get(seq);
    if (call === undefined) {
      if (seq - s.floor >= e.o.maxCallsPerSession || e.executing >= e.o.maxConcurrentCalls) {
        this.busy(s, seq);
        return;
      }
      if (e.cachedReplyBytes >= e.o.maxCachedReplyBytes) {
        this.busy(s, seq);
        return;
      }
      call = new ServerCall(s, seq);
      if (!fragment) {
        s.calls.set(seq, call);
        this.execute(nowMs, call, c.bytes, c.body + 4, c.body + c.length, c.view);
        return;
      }
      const messageBytes = c.u32(4);
      const fragmentSize = c.u32(12);
      if (messageBytes > e.o.maxMessageBytes) {
        s.calls.set(seq, call);
        call.state = ServerState.Executing;
        e.executing++;
        s.executing++;
        call.receivedMs = nowMs;
        e.complete(nowMs, call, [e.o.tooLargeReply]);
        return;
      }
      if (fragmentSize === 0 || messageBytes === 0) return;
      // Reassembly is charged by the bytes held (reassembler.ts): Busy only if not even the first
      // buffer fits.
      const first = Math.min(messageBytes, REASSEMBLY_INITIAL_BYTES);
      if (e.reassemblyBytes + first > e.o.maxReassemblyBytes) {
        this.busy(s, seq);
        return;
      }
      call.request = new Reassembler(messageBytes, fragmentSize);
      s.calls.set(seq, call);
    }
    this.onExisting(nowMs, call, c, fragment);
  }

  private onExisting(nowMs: number, call: ServerCall, c: FrameCursor, fragment: boolean): void {
    const e = this.e;
    const s = call.session;
    const dup = () => {
      e.counters.duplicatesDropped++;
      s.path.counters.duplicatesDropped++;
    };
    if (call.state === ServerState.Receiving && fragment) {
      const r = call.request!;
      const index = c.u32(8);
      const head = 4 + FRAGMENT_FIELDS_BYTES;
      if (!r.matches(c.u32(4), c.u32(12))) return;
      const held = r.footprintBytes;
      const room = e.o.maxReassemblyBytes - e.reassemblyBytes;
      const verdict = r.accept(index, c.bytes, c.body + head, c.length - head, room);
      e.reassemblyBytes += r.footprintBytes - held;
      if (verdict === "invalid" || verdict === "full") return;
      if (verdict === "duplicate") dup();
      call.lastHeardMs = nowMs;
      if (r.complete) {
        this.sender.ackRequest(nowMs, call);
        if (call.streaming) e.streamComplete(nowMs, call);
        else this.execute(nowMs, call, r.buffer, 0, r.buffer.length, undefined);
        return;
      }
      if (call.streaming) {
        if (verdict === "new") e.onStreamData?.(call);
      } else if (!call.streamAsked && e.onStreamStart !== undefined && r.cumulative > 0) {
        // The request's first bytes are in: the application may take it as it arrives (§5.1).
        call.streamAsked = true;
        e.startStream(nowMs, call);
        if (call.state !== ServerState.Receiving) return; // refused
      }
      // When the FragmentAck leaves: docs/protocol.md §5, `Reassembler.ackDue`.
      if (r.ackDue(index, verdict, (c.flags & FrameFlag.AckNow) !== 0)) {
        this.sender.ackRequest(nowMs, call);
      } else if (call.fragmentAckMs === Number.POSITIVE_INFINITY) {
        call.fragmentAckMs = nowMs + FRAGMENT_ACK_DELAY_MS;
        e.schedule(call);
      }
      return;
    }
    dup();
    if (fragment && call.state !== ServerState.Receiving) {
      // The client missed our final FragmentAck: repeat it.
      const count = Math.ceil(c.u32(4) / Math.max(1, c.u32(12)));
      writeFragmentAck(s.builder, {
        seq: call.seq,
        ofReply: false,
        ackDelayUs: 0,
        cumulative: count,
        ranges: [],
      });
      e.markDirty(s);
    }
    this.answerRetransmission(nowMs, call);
  }

  /** A retransmitted request or a probe for a call we have. */
  private answerRetransmission(nowMs: number, call: ServerCall): void {
    const e = this.e;
    const s = call.session;
    if (call.state === ServerState.Executing) {
      writeWorking(s.builder, call.seq, 0);
      e.markDirty(s);
    } else if (call.state === ServerState.Done) {
      e.counters.retransmissions++;
      s.path.counters.retransmissions++;
      if (call.reply !== null) {
        const heldUs = (nowMs - call.receivedMs) * 1000;
        writeWhole(s.builder, FrameType.Reply, call.seq, heldUs, call.reply);
        e.markDirty(s);
      } else if (call.window !== null) {
        call.window.restart(s.path);
        this.sender.queueReply(nowMs, call);
      }
    }
  }

  private execute(
    nowMs: number,
    call: ServerCall,
    bytes: Uint8Array,
    start: number,
    end: number,
    view: DataView | undefined,
  ): void {
    const e = this.e;
    const s = call.session;
    call.state = ServerState.Executing;
    call.receivedMs = nowMs;
    e.executing++;
    s.executing++;
    e.counters.callsStarted++;
    call.workingMs = nowMs + e.o.workingDelayMs;
    e.onCall(call, bytes, start, end, view);
    // Most calls are answered within onCall: only a call still running needs its Working timer.
    if (call.state === ServerState.Executing) e.schedule(call);
  }

  private onAck(s: ServerSession, c: FrameCursor): void {
    const e = this.e;
    const floor = c.u32(0);
    if (floor > s.floor) {
      for (let seq = s.calls.lowest(); seq >= 0 && seq < floor; seq = s.calls.lowest()) {
        e.forget(s.calls.get(seq)!);
      }
      s.floor = floor;
    }
    for (let at = 4; at + 8 <= c.length; at += 8) {
      const first = Math.max(c.u32(at), s.floor);
      const last = Math.min(c.u32(at + 4), first + e.o.maxCallsPerSession);
      for (let seq = first; seq <= last; seq++) {
        const call = s.calls.get(seq);
        if (call !== undefined && call.state !== ServerState.Acked) e.drop(call);
      }
    }
  }

  private onProbe(nowMs: number, s: ServerSession, seq: number): void {
    const call = s.calls.get(seq);
    if (call === undefined) {
      if (seq >= s.floor) {
        writeU32Frame(s.builder, FrameType.NoSuchCall, seq);
        this.e.markDirty(s);
      }
      return;
    }
    if (call.state === ServerState.Receiving) this.sender.ackRequest(nowMs, call);
    else this.answerRetransmission(nowMs, call);
  }

  private onFragmentAck(nowMs: number, s: ServerSession, c: FrameCursor): void {
    if (c.length < 12) return;
    const call = s.calls.get(c.u32(0));
    if (call === undefined || call.window === null || call.state !== ServerState.Done) return;
    const ranges: number[] = [];
    for (let at = 12; at + 8 <= c.length; at += 8) ranges.push(c.u32(at), c.u32(at + 4));
    const w = call.window;
    w.onAck(nowMs, s.path, { cumulative: c.u32(8), ranges, ackDelayMs: c.u32(4) / 1000 });
    if (w.done) {
      // The client has every fragment: free the reply now (its Ack will follow).
      this.e.drop(call);
      return;
    }
    this.sender.queueReply(nowMs, call);
  }
}
