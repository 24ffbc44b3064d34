/**
 * The timers of a {@link ClientSession}: a call's deadline, its request retransmissions (RFC 6298
 * back-off with jitter), its probes once the server is executing it (B&N's "still working?",
 * at a growing interval), the delayed FragmentAck of a reply, and the loss timers of a
 * fragmented request. Called by the session's `poll` for each call whose timer is due.
 */

import type { ClientCall } from "./client-call.js";
import { ClientState } from "./client-call.js";
import type { ClientSession } from "./client-session.js";
import { writeU32Frame } from "./frames.js";
import { FrameType } from "./packet.js";

export class ClientTimers {
  private readonly s: ClientSession;

  constructor(session: ClientSession) {
    this.s = session;
  }

  /** A call's timer fired: deadline first, then its FragmentAck, then its action. */
  onTimer(nowMs: number, call: ClientCall): void {
    if (nowMs >= call.deadlineMs) {
      if (call.state === ClientState.Queued && call.busyCount > 0) {
        this.s.settle(call, {
          kind: "busy",
          retryAfterMs: call.busyRetryAfterMs,
          attempts: call.busyCount,
        });
      } else {
        this.s.settle(call, {
          kind: "deadline",
          phase: call.phase,
          elapsedMs: nowMs - call.startedMs,
          transmissions: call.transmissions,
          times: call.times(nowMs),
        });
      }
      return;
    }
    if (call.fragmentAckMs <= nowMs) this.s.sender.ackReplyFragments(nowMs, call);
    if (call.actionMs <= nowMs) {
      call.actionMs = Number.POSITIVE_INFINITY;
      this.act(nowMs, call);
    }
    if (call.state !== ClientState.Done) this.s.schedule(call);
  }

  /** The call's retransmission, probe or busy-retry timer fired. */
  private act(nowMs: number, call: ClientCall): void {
    switch (call.state) {
      case ClientState.Queued:
        // A Busy's wait is over: send again, same seq (it still holds the floor).
        call.state = ClientState.Sent;
        call.attempt = 0;
        this.s.sender.retransmit(call);
        call.actionMs = call.window === null ? nowMs + this.s.backoff(1) : Number.POSITIVE_INFINITY;
        return;
      case ClientState.Sent: {
        if (call.window !== null) {
          this.fragmentTimer(nowMs, call);
          return;
        }
        if (call.attempt >= this.s.o.maxAttempts) {
          this.giveUp(nowMs, call, call.transmissions);
          return;
        }
        call.attempt++;
        this.s.sender.retransmit(call);
        call.actionMs = nowMs + this.s.backoff(call.attempt + 1);
        return;
      }
      default: {
        // Executing or receiving: probe.
        if (call.attempt >= this.s.o.maxAttempts) {
          this.giveUp(nowMs, call, call.attempt);
          return;
        }
        call.attempt++;
        if (call.attempt > 1) this.s.path.counters.retransmissions++;
        writeU32Frame(this.s.builder, FrameType.Probe, call.seq);
        call.probeSentMs = nowMs;
        // Unanswered probes back off like retransmissions, but never wait past probeMaxMs.
        call.actionMs =
          nowMs + Math.min(this.s.o.probeMaxMs, this.s.quietMaxMs, this.s.backoff(call.attempt));
      }
    }
  }

  /**
   * A sent call got no answer to `maxAttempts` transmissions or probes: it ends gave-up (it may
   * have run), and since the server or the path is gone, the session starts over from a
   * first-contact Hello — the other sent calls end outcome unknown, new calls wait for a server
   * that answers (and fail `unreachable`, never sent, if none does).
   */
  private giveUp(nowMs: number, call: ClientCall, attempts: number): void {
    this.s.settle(call, {
      kind: "gave-up",
      phase: call.phase,
      attempts,
      elapsedMs: nowMs - call.startedMs,
    });
    this.s.resetSession(nowMs, "server-unreachable", 0);
  }

  /** Loss detection and RTO for a fragmented request. */
  private fragmentTimer(nowMs: number, call: ClientCall): void {
    const w = call.window!;
    const rtoAt = w.lastProgressMs + this.s.path.rtt.rtoMs * 2 ** Math.min(w.timeouts, 10);
    if (nowMs >= rtoAt && w.inFlight) {
      if (w.timeouts >= this.s.o.maxAttempts) {
        this.giveUp(nowMs, call, w.timeouts);
        return;
      }
      w.onTimeout(nowMs, this.s.path);
    }
    w.detectLost(nowMs, this.s.path);
    if (w.hasWork && !this.s.bulk.includes(call)) this.s.bulk.push(call);
    this.fragmentActionTime(nowMs, call);
  }

  /** Sets `actionMs` of a call with a send window: next loss time or RTO. */
  fragmentActionTime(nowMs: number, call: ClientCall): void {
    const w = call.window!;
    if (!w.inFlight) {
      call.actionMs = w.hasWork ? Number.POSITIVE_INFINITY : nowMs + this.s.path.rtt.rtoMs;
      return;
    }
    const rtoAt = w.lastProgressMs + this.s.path.rtt.rtoMs * 2 ** Math.min(w.timeouts, 10);
    call.actionMs = Math.min(rtoAt, w.detectLost(nowMs, this.s.path));
  }
}
