/**
 * What a {@link ServerEndpoint} sends on its own: each call's timer (Working after
 * `workingDelayMs`, the delayed FragmentAck of a request, reply loss detection and RTO), reply
 * fragments under the path's congestion window and pacer, and FragmentAcks of requests. The
 * receive path (`server-receive.ts`) calls in here for what a datagram asks for.
 */

import { writeFragment, writeReassemblyAck, writeWorking } from "./frames.js";
import { FrameFlag, FrameType } from "./packet.js";
import type { ServerEndpoint } from "./server-endpoint.js";
import { type ServerCall, type ServerSession, ServerState } from "./server-session.js";

export class ServerSender {
  private readonly e: ServerEndpoint;
  /** When the pacer lets the next reply fragment go. */
  pacingMs = Number.POSITIVE_INFINITY;
  /** Sessions waiting on the pacer (each once: `ServerSession.paced`). */
  private paced: ServerSession[] = [];

  constructor(endpoint: ServerEndpoint) {
    this.e = endpoint;
  }

  /** A call's timer fired: Working, a FragmentAck of the request, reply loss/RTO. */
  onTimer(nowMs: number, call: ServerCall): void {
    const e = this.e;
    const s = call.session;
    if (call.workingMs <= nowMs) {
      call.workingMs = Number.POSITIVE_INFINITY;
      if (call.state === ServerState.Executing) {
        writeWorking(s.builder, call.seq, (nowMs - call.receivedMs) * 1000);
        e.markDirty(s);
      }
    }
    if (call.fragmentAckMs <= nowMs) {
      call.fragmentAckMs = Number.POSITIVE_INFINITY;
      this.ackRequest(nowMs, call);
    }
    if (call.actionMs <= nowMs && call.window !== null && call.state === ServerState.Done) {
      call.actionMs = Number.POSITIVE_INFINITY;
      const w = call.window;
      const rtoAt = w.lastProgressMs + s.path.rtt.rtoMs * 2 ** Math.min(w.timeouts, 10);
      if (nowMs >= rtoAt && w.inFlight) {
        if (w.timeouts >= e.o.maxAttempts) {
          // Stop pushing; the client's probe restarts the reply, or its Ack frees it.
          w.abandon(s.path);
          return;
        }
        w.onTimeout(nowMs, s.path);
      }
      w.detectLost(nowMs, s.path);
      this.queueReply(nowMs, call);
    }
    e.schedule(call);
  }

  /** Sends reply fragments of a session while its congestion window and pacer allow. */
  sendFragments(nowMs: number, s: ServerSession): void {
    const path = s.path;
    let progress = true;
    while (progress) {
      progress = false;
      for (const call of s.bulk) {
        const w = call.window;
        if (w === null || call.state !== ServerState.Done) continue;
        const i = w.peekNext();
        if (i < 0) continue;
        const len = w.lengthOf(i);
        if (!path.cc.canSend(len)) {
          this.compact(s);
          return;
        }
        const at = path.cc.pacedAtMs(nowMs, len, path.rtt.smoothedOrInitialMs);
        if (at > nowMs) {
          if (at < this.pacingMs) this.pacingMs = at;
          if (!s.paced) {
            s.paced = true;
            this.paced.push(s);
          }
          this.compact(s);
          return;
        }
        const heldUs = (nowMs - call.receivedMs) * 1000;
        const ackNow = w.markSent(i, nowMs, path) ? FrameFlag.AckNow : 0;
        writeFragment(s.builder, FrameType.Reply, call.seq, heldUs, w, i, ackNow);
        this.replyActionTime(nowMs, call);
        progress = true;
      }
    }
    this.compact(s);
  }

  /** The sessions the pacer held back since the last call (internal, for the flush). */
  takePaced(): ServerSession[] {
    const out = this.paced;
    if (out.length === 0) return out;
    this.paced = [];
    for (const s of out) s.paced = false;
    return out;
  }

  private compact(s: ServerSession): void {
    s.bulk = s.bulk.filter(
      (c) => c.state === ServerState.Done && c.window !== null && c.window.hasWork,
    );
  }

  private replyActionTime(nowMs: number, call: ServerCall): void {
    const w = call.window!;
    const path = call.session.path;
    const rtoAt = w.lastProgressMs + path.rtt.rtoMs * 2 ** Math.min(w.timeouts, 10);
    const at = w.inFlight ? Math.min(rtoAt, w.detectLost(nowMs, path)) : Number.POSITIVE_INFINITY;
    if (at !== call.actionMs) {
      call.actionMs = at;
      this.e.schedule(call);
    }
  }

  /** Puts the call's reply fragments up for sending and moves its loss/RTO time. */
  queueReply(nowMs: number, call: ServerCall): void {
    const s = call.session;
    if (call.window?.hasWork && !s.bulk.includes(call)) s.bulk.push(call);
    this.e.markDirty(s);
    this.replyActionTime(nowMs, call);
  }

  /** Writes a FragmentAck of the call's request (the fragments received so far). */
  ackRequest(nowMs: number, call: ServerCall): void {
    const r = call.request;
    if (r === null) return;
    const s = call.session;
    writeReassemblyAck(s.builder, call.seq, false, nowMs - call.lastHeardMs, r);
    call.fragmentAckMs = Number.POSITIVE_INFINITY;
    this.e.markDirty(s);
    this.e.ackPending = true;
  }
}
