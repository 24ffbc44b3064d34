/**
 * The receive path of a {@link ClientSession}: checks a datagram (checksum, direction, session),
 * then applies each frame — Welcome, Reset, Reply (whole or fragment), Working, NoSuchCall, Busy,
 * FragmentAck — to the call it names. Unknown frame types are skipped; malformed frames end the
 * datagram; nothing here throws on bad input.
 */

import type { ClientCall } from "./client-call.js";
import { ClientState } from "./client-call.js";
import type { ClientSession } from "./client-session.js";
import {
  type ChecksumFn,
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

export class ClientReceiver {
  private readonly s: ClientSession;
  private readonly crc: ChecksumFn;
  private readonly header: Header = { flags: 0, sessionHi: 0, sessionLo: 0, epoch: 0 };
  private readonly cursor = new FrameCursor();

  constructor(session: ClientSession, crc: ChecksumFn) {
    this.s = session;
    this.crc = crc;
  }

  receive(nowMs: number, data: Uint8Array): void {
    const s = this.s;
    const counters = s.path.counters;
    const h = this.header;
    if (readHeader(data, this.crc, h) !== "ok") {
      counters.corruptDropped++;
      return;
    }
    const mine = s.builder.header;
    if (
      (h.flags & HeaderFlag.FromServer) === 0 ||
      h.sessionHi !== mine.sessionHi ||
      h.sessionLo !== mine.sessionLo
    ) {
      counters.duplicatesDropped++;
      return;
    }
    counters.datagramsReceived++;
    counters.bytesReceived += data.length;
    const c = this.cursor;
    c.reset(data);
    while (c.next()) {
      if (s.closed) return;
      if (c.type === FrameType.Reset) {
        if (c.length >= 4) this.onReset(nowMs, c.u32(0), h.epoch);
        return; // the rest of the datagram belongs to the old session
      }
      if (c.type === FrameType.Welcome) {
        this.onWelcome(c, h.epoch);
        continue;
      }
      if (h.epoch !== s.epoch || c.length < 4) continue;
      const call = s.sent.get(c.u32(0));
      switch (c.type) {
        case FrameType.Reply:
          this.onReply(nowMs, c, call);
          break;
        case FrameType.Working:
          if (call !== undefined) this.onWorking(nowMs, call, c.length >= 8 ? c.u32(4) / 1000 : 0);
          break;
        case FrameType.NoSuchCall:
          if (call !== undefined && call.state !== ClientState.Queued) {
            call.state = ClientState.Sent;
            call.attempt = 0;
            s.sender.retransmit(call);
            if (call.window === null) call.actionMs = nowMs + s.backoff(1);
            s.schedule(call);
          }
          break;
        case FrameType.Busy:
          if (call !== undefined && c.length >= 8) this.onBusy(nowMs, call, c.u32(4));
          break;
        case FrameType.FragmentAck:
          if (call !== undefined && (c.flags & FrameFlag.OfReply) === 0) {
            this.onFragmentAck(nowMs, c, call);
          }
          break;
        default:
          break;
      }
    }
    if (c.malformed) counters.corruptDropped++;
  }

  private onWelcome(c: FrameCursor, epoch: number): void {
    const s = this.s;
    if (s.welcomed || c.length < 8 || epoch === 0) return;
    if (s.epoch !== 0 && epoch !== s.epoch) return;
    s.epoch = epoch;
    s.builder.header.epoch = epoch;
    s.welcomed = true;
    s.helloMs = Number.POSITIVE_INFINITY;
    s.helloAttempts = 0;
    s.serverWindow = Math.max(1, c.u32(0));
    // The server's idle limit (a Welcome of 8 bytes has none: the default holds).
    if (c.length >= 12 && c.u32(8) > 0) s.serverIdleMs = c.u32(8);
  }

  private onReset(nowMs: number, reason: number, epoch: number): void {
    const s = this.s;
    if (epoch === 0) return;
    if (reason === ResetReason.WrongEpoch) {
      if (epoch === s.epoch) return; // already adopted: a duplicate
      s.resetSession(nowMs, s.epoch === 0 ? "session-expired" : "server-restarted", epoch);
    } else if (reason === ResetReason.UnknownSession) {
      if (epoch !== s.epoch && s.epoch !== 0) {
        s.resetSession(nowMs, "server-restarted", epoch);
      } else if (s.welcomed) {
        s.resetSession(nowMs, "session-expired", epoch);
      } else {
        // Our Hello has not arrived yet; nothing can have run. Say Hello again.
        s.helloMs = nowMs;
      }
    }
  }

  private onReply(nowMs: number, c: FrameCursor, call: ClientCall | undefined): void {
    const s = this.s;
    if (c.length < 8) return;
    if (call === undefined) {
      s.path.counters.duplicatesDropped++;
      // A reply to a call settled here: the server has not heard (the Ack that named it was
      // lost), and if the reply is fragmented it keeps pushing it. Name the seq again.
      const seq = c.u32(0);
      if (seq < s.nextSeq) s.settledSinceAck.push(seq);
      s.ackPending = true;
      if (s.ackMs === Number.POSITIVE_INFINITY) s.ackMs = nowMs + s.o.ackDelayMs;
      return;
    }
    const heldMs = c.u32(4) / 1000;
    if ((c.flags & FrameFlag.Fragment) === 0) {
      if (call.transmissions === 1 && call.window === null) {
        s.path.rtt.sample(nowMs - call.firstSentMs, heldMs);
      }
      s.settleReply(call, c.bytes, c.body + 8, c.body + c.length, c.view);
      return;
    }
    if (c.length < 8 + FRAGMENT_FIELDS_BYTES) return;
    call.lastHeardMs = nowMs;
    const messageBytes = c.u32(8);
    const index = c.u32(12);
    const fragmentSize = c.u32(16);
    let r = call.reply;
    if (r === null) {
      if (messageBytes > s.o.maxMessageBytes) {
        s.settle(call, { kind: "too-large", bytes: messageBytes, limitBytes: s.o.maxMessageBytes });
        return;
      }
      // Charged by the bytes held (reassembler.ts): drop only if not even the first buffer fits.
      const first = Math.min(messageBytes, REASSEMBLY_INITIAL_BYTES);
      if (fragmentSize === 0 || s.reassemblyBytes + first > s.o.maxReassemblyBytes) return;
      r = new Reassembler(messageBytes, fragmentSize);
      call.reply = r;
      if (call.window !== null) call.window.abandon(s.path);
      call.state = ClientState.Receiving;
      call.receivingSinceMs = nowMs;
      call.attempt = 0;
    } else if (!r.matches(messageBytes, fragmentSize)) {
      return;
    }
    const head = 8 + FRAGMENT_FIELDS_BYTES;
    const held = r.footprintBytes;
    const room = s.o.maxReassemblyBytes - s.reassemblyBytes;
    const verdict = r.accept(index, c.bytes, c.body + head, c.length - head, room);
    s.reassemblyBytes += r.footprintBytes - held;
    if (verdict === "duplicate") s.path.counters.duplicatesDropped++;
    if (verdict === "invalid" || verdict === "full") return;
    // A new fragment answers the probes sent so far: only probes in a row count towards giving up.
    if (verdict === "new") call.attempt = 0;
    if (r.complete) {
      s.sender.ackReplyFragments(nowMs, call);
      s.settleReply(call, r.buffer, 0, r.buffer.length, undefined);
      return;
    }
    // When the FragmentAck leaves: docs/protocol.md §5, `Reassembler.ackDue`.
    if (r.ackDue(index, verdict, (c.flags & FrameFlag.AckNow) !== 0)) {
      s.sender.ackReplyFragments(nowMs, call);
    } else if (call.fragmentAckMs === Number.POSITIVE_INFINITY) {
      call.fragmentAckMs = nowMs + FRAGMENT_ACK_DELAY_MS;
    }
    // While fragments flow, probe only if they stop for a probe interval.
    call.actionMs = nowMs + Math.max(s.o.probeInitialMs, 2 * s.path.rtt.rtoMs);
    s.schedule(call);
  }

  private onWorking(nowMs: number, call: ClientCall, heldMs: number): void {
    const s = this.s;
    call.lastHeardMs = nowMs;
    // RTT samples (Karn: only when exactly one transmission or probe is outstanding).
    if (call.state === ClientState.Sent && call.transmissions === 1 && call.window === null) {
      s.path.rtt.sample(nowMs - call.firstSentMs, heldMs);
    } else if (call.state === ClientState.Executing && call.attempt === 1) {
      s.path.rtt.sample(nowMs - call.probeSentMs);
    }
    if (call.state === ClientState.Sent) {
      call.state = ClientState.Executing;
      call.executingSinceMs = nowMs;
      if (call.window !== null) call.window.abandon(s.path);
    } else if (call.state !== ClientState.Executing) {
      return;
    } else {
      call.probesAnswered++;
    }
    call.attempt = 0;
    const interval = Math.min(
      s.o.probeMaxMs,
      s.quietMaxMs,
      Math.max(s.o.probeInitialMs, 2 * s.path.rtt.rtoMs) * 2 ** Math.min(call.probesAnswered, 20),
    );
    call.actionMs = nowMs + interval;
    s.schedule(call);
  }

  private onBusy(nowMs: number, call: ClientCall, retryAfterMs: number): void {
    const s = this.s;
    if (call.state !== ClientState.Sent) return;
    s.busyAnswers++;
    call.busyCount++;
    call.busyRetryAfterMs = retryAfterMs;
    call.state = ClientState.Queued;
    if (call.window !== null) call.window.abandon(s.path);
    call.actionMs = nowMs + Math.max(retryAfterMs, s.backoff(call.busyCount));
    s.schedule(call);
  }

  private onFragmentAck(nowMs: number, c: FrameCursor, call: ClientCall): void {
    const s = this.s;
    const w = call.window;
    if (w === null || call.state !== ClientState.Sent || c.length < 12) return;
    const ranges: number[] = [];
    for (let at = 12; at + 8 <= c.length; at += 8) ranges.push(c.u32(at), c.u32(at + 4));
    w.onAck(nowMs, s.path, {
      cumulative: c.u32(8),
      ranges,
      ackDelayMs: c.u32(4) / 1000,
    });
    call.lastHeardMs = nowMs;
    if (w.done) {
      // The server holds the whole request: it is executing (or about to). Probe from now on.
      call.state = ClientState.Executing;
      call.executingSinceMs = nowMs;
      call.attempt = 0;
      call.actionMs = nowMs + Math.max(s.o.probeInitialMs, 2 * s.path.rtt.rtoMs);
    } else {
      if (w.hasWork && !s.bulk.includes(call)) s.bulk.push(call);
      s.fragmentActionTime(nowMs, call);
    }
    s.schedule(call);
  }
}
