/**
 * The client side of the reliable layer: one session to one server, many calls in flight.
 *
 * Birrell & Nelson's protocol (1984 §3.2) generalised to many outstanding calls: a call goes out
 * once, and its reply is its acknowledgement; if no reply comes within the RTO (RFC 6298) the
 * request is sent again with exponential back-off and jitter; once the server says it is working
 * on it (Working, or every request fragment acknowledged) the client stops sending arguments and
 * probes at a growing interval; the reply is acknowledged by the next datagram to the server (an
 * Ack frame packed with the next request) or by a delayed ack. Large requests go through a
 * {@link SendWindow}; large replies through a {@link Reassembler}.
 *
 * Sans-I/O: the adapter calls {@link startCall}, {@link receive}, {@link poll} with the time, and
 * sends what {@link flush} returns; outcomes go to `onSettle` exactly once per call. Every
 * collection has a bound: calls in flight ≤ window, queued calls ≤ `maxQueuedCalls`, reply
 * reassembly ≤ `maxReassemblyBytes`.
 */
export type { ClientSessionOptions, ClientSessionStats } from "./client-options.js";

import { ClientCall, ClientState } from "./client-call.js";
import type { ClientSessionOptions, ClientSessionStats } from "./client-options.js";
import { ClientReceiver } from "./client-receive.js";
import { ClientSender } from "./client-send.js";
import { ClientTimers } from "./client-timers.js";
import { type Datagram, DatagramBuilder, datagramLength, SlabPool } from "./datagram-builder.js";
import { fragmentPayloadBytes, writeHello } from "./frames.js";
import type { CallOutcome } from "./outcome.js";
import { assertRangeChecksum } from "./packet.js";
import { Path } from "./path.js";
import { backoffMs } from "./rtt.js";
import { SendWindow } from "./send-window.js";
import { SeqTable } from "./seq-table.js";
import { TimerHeap } from "./timer-heap.js";

/**
 * The slabs every client session of the process cuts its datagrams from (as a server's sessions
 * share their endpoint's): a pool of its own would cost each session a 1 MiB allocation, and a
 * process with thousands of sessions gigabytes of external memory for V8 to collect around.
 * Sharing is safe: a datagram's bytes are never written again once handed out.
 */
const CLIENT_SLABS = new SlabPool();

export class ClientSession {
  readonly path: Path;
  readonly builder: DatagramBuilder;
  readonly o: Required<
    Omit<ClientSessionOptions, "rtt" | "congestion" | "onSettle" | "onReply" | "random" | "crc">
  >;
  readonly random: ClientSessionOptions["random"];
  readonly onSettle: ClientSessionOptions["onSettle"];
  readonly onReply: ClientSessionOptions["onReply"];
  /** Sent calls by seq. */
  readonly sent = new SeqTable<ClientCall>();
  /**
   * Seqs settled since the last Ack (sent as its ranges, so the server frees those replies before
   * the floor passes them; if that Ack is lost, the floor frees them later).
   */
  settledSinceAck: number[] = [];
  readonly timers = new TimerHeap<ClientCall>();
  /** Calls waiting for the window, from `queueHead` on (internal). */
  queue: ClientCall[] = [];
  queueHead = 0;
  /** Calls with request fragments to send. */
  bulk: ClientCall[] = [];
  /** 0 until the server's epoch is known. */
  epoch = 0;
  welcomed = false;
  nextSeq = 1;
  generation = 0;
  serverWindow = Number.POSITIVE_INFINITY;
  /** The server's idle limit (its Welcome says; 5 minutes, the default, when it does not). */
  serverIdleMs = 300_000;
  /** When the session last sent a datagram. */
  lastSentMs = Number.NEGATIVE_INFINITY;
  helloAttempts = 0;
  helloMs = Number.POSITIVE_INFINITY;
  ackPending = false;
  ackMs = Number.POSITIVE_INFINITY;
  /**
   * A FragmentAck was written since the last flush: the adapter flushes at once (see
   * `ServerEndpoint.ackPending`).
   */
  fragmentAckPending = false;
  /** When the pacer lets the next fragment go (+∞: nothing waits on it). */
  pacingMs = Number.POSITIVE_INFINITY;
  reassemblyBytes = 0;
  busyAnswers = 0;
  resets = 0;
  closed = false;
  /** The time of the latest entry point (receive, poll, flush, startCall). */
  nowMs = 0;
  private readonly receiver: ClientReceiver;
  private readonly timerActions: ClientTimers;
  /** Writes requests, retransmissions and acks (internal: for the receive and timer handlers). */
  readonly sender: ClientSender;

  constructor(options: ClientSessionOptions) {
    this.random = options.random;
    this.onSettle = options.onSettle;
    this.onReply = options.onReply;
    this.o = {
      maxDatagramBytes: options.maxDatagramBytes,
      maxCallsInFlight: options.maxCallsInFlight ?? 256,
      maxQueuedCalls: options.maxQueuedCalls ?? 100_000,
      maxAttempts: options.maxAttempts ?? 10,
      jitter: options.jitter ?? 0.5,
      probeInitialMs: options.probeInitialMs ?? 20,
      probeMaxMs: options.probeMaxMs ?? 2000,
      ackDelayMs: options.ackDelayMs ?? 5,
      maxMessageBytes: options.maxMessageBytes ?? 0x7fffffff,
      maxReassemblyBytes: options.maxReassemblyBytes ?? 4 * 1024 ** 3,
    };
    this.path = new Path({
      maxDatagramBytes: options.maxDatagramBytes,
      rtt: options.rtt,
      congestion: options.congestion,
    });
    assertRangeChecksum(options.crc);
    this.builder = new DatagramBuilder({
      maxDatagramBytes: options.maxDatagramBytes,
      crc: options.crc,
      header: { flags: 0, sessionHi: 0, sessionLo: 0, epoch: 0 },
      pool: CLIENT_SLABS,
    });
    this.builder.onOpen = (b) => {
      if (!this.welcomed && this.epoch !== 0) writeHello(b);
    };
    this.newSessionId();
    this.receiver = new ClientReceiver(this, options.crc);
    this.timerActions = new ClientTimers(this);
    this.sender = new ClientSender(this);
  }

  /** Payload bytes of one request fragment. */
  get fragmentBytes(): number {
    return fragmentPayloadBytes(this.builder.maxFrameBody);
  }

  /** Starts a call; its outcome goes to `onSettle(token, …)`. Returns its handle (for cancel). */
  startCall(
    nowMs: number,
    token: unknown,
    chunks: readonly Uint8Array[],
    timeoutMs: number,
  ): ClientCall {
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    const call = new ClientCall({ token, chunks, bytes, nowMs, timeoutMs });
    this.start(nowMs, call);
    return call;
  }

  /**
   * Starts a call the caller constructed (an adapter may extend {@link ClientCall} to keep its
   * own per-call state in the same object); its outcome goes to `onSettle(call.token, …)`.
   */
  start(nowMs: number, call: ClientCall): void {
    this.nowMs = nowMs;
    const bytes = call.bytes;
    if (this.closed) {
      this.settle(call, { kind: "closed" });
    } else if (bytes > this.o.maxMessageBytes) {
      this.settle(call, { kind: "too-large", bytes, limitBytes: this.o.maxMessageBytes });
    } else if (this.queue.length - this.queueHead >= this.o.maxQueuedCalls) {
      this.settle(call, { kind: "busy", retryAfterMs: 0, attempts: 0 });
    } else {
      this.queue.push(call);
      this.schedule(call);
      if (!this.welcomed && this.helloMs === Number.POSITIVE_INFINITY) this.helloMs = nowMs;
    }
  }

  /** Cancels a call (settles it `canceled`; the server is told by the next Ack). */
  cancel(call: ClientCall): void {
    if (call.state !== ClientState.Done) this.settle(call, { kind: "canceled" });
  }

  /** Handles one received datagram. */
  receive(nowMs: number, data: Uint8Array): void {
    this.nowMs = nowMs;
    this.receiver.receive(nowMs, data);
  }

  /** Runs every timer due at `nowMs` (retransmissions, probes, deadlines, acks). */
  poll(nowMs: number): void {
    this.nowMs = nowMs;
    const heap = this.timers;
    while (heap.peekMs() <= nowMs) this.timerActions.onTimer(nowMs, heap.pop()!);
    if (this.helloMs <= nowMs) this.sendHello(nowMs);
  }

  /** Earliest time {@link poll} or {@link flush} has work (+∞: none). */
  nextDeadlineMs(): number {
    return Math.min(this.timers.peekMs(), this.helloMs, this.ackMs, this.pacingMs);
  }

  /**
   * Whether {@link flush} may have something to send now: frames built, calls waiting to be
   * sent, request fragments. When false, only {@link nextDeadlineMs} may have moved.
   */
  get wantsFlush(): boolean {
    return this.builder.pending || this.queueHead < this.queue.length || this.bulk.length > 0;
  }

  /** Builds what is due and returns the datagrams to send to the server. */
  flush(nowMs: number): Datagram[] {
    this.nowMs = nowMs;
    this.fragmentAckPending = false;
    if (
      this.welcomed &&
      this.sent.size === 0 &&
      this.queueHead < this.queue.length &&
      nowMs - this.lastSentMs >= this.serverIdleMs / 2
    ) {
      // The server forgets a session silent for its idle limit (§4.2); a call sent into a session
      // it may have forgotten would end outcome unknown although nothing ran. Nothing is in
      // flight, so open a new session instead: its Hello goes now, the call after the Welcome.
      this.resetSession(nowMs, "session-expired", this.epoch);
      this.sendHello(nowMs);
    }
    // Calls go out only in a welcomed session: a call never travels with a Hello, so a Hello
    // retransmitted after the server forgot the session cannot bring a call back to run again.
    if (this.welcomed) {
      this.sender.sendQueued(nowMs);
      if (this.bulk.length > 0) this.sender.sendFragments(nowMs);
    }
    if (this.ackPending && (this.builder.pending || this.ackMs <= nowMs))
      this.sender.writeAckFrame();
    const out = this.builder.take();
    for (const d of out) {
      this.path.counters.datagramsSent++;
      this.path.counters.bytesSent += datagramLength(d);
    }
    if (out.length > 0) this.lastSentMs = nowMs;
    return out;
  }

  /**
   * The path reported that nothing listens at the server's address (ICMP port unreachable): the
   * server process is gone, or restarting. Calls already sent may have run there: they end
   * outcome unknown at once (they could get no reply: a restarted server would Reset them) and the
   * session starts over from a first-contact Hello, so no call is ever sent again and new calls
   * wait for a live server. Calls not sent yet — which cannot have run — fail `refused` at once,
   * so a balancer may move them to another server.
   */
  refused(): void {
    if (this.closed) return;
    if (this.welcomed) this.resetSession(this.nowMs, "server-unreachable", 0);
    const waiting = this.queue.slice(this.queueHead);
    this.queue = [];
    this.queueHead = 0;
    this.helloMs = Number.POSITIVE_INFINITY;
    this.helloAttempts = 0;
    for (const c of waiting) if (c.state !== ClientState.Done) this.settle(c, { kind: "refused" });
  }

  /** Fails every call with `closed`. */
  close(): void {
    this.closed = true;
    for (const c of [...this.sent.values(), ...this.queue.slice(this.queueHead)]) {
      if (c.state !== ClientState.Done) this.settle(c, { kind: "closed" });
    }
    this.queue = [];
    this.queueHead = 0;
    this.helloMs = Number.POSITIVE_INFINITY;
  }

  stats(): ClientSessionStats {
    const p = this.path;
    return {
      epoch: this.epoch,
      srttMs: p.rtt.srttMs,
      rttvarMs: p.rtt.rttvarMs,
      rtoMs: p.rtt.rtoMs,
      cwndBytes: p.cc.cwnd,
      bytesInFlight: p.cc.bytesInFlight,
      callsInFlight: this.sent.size,
      callsQueued: this.queue.length - this.queueHead,
      reassemblyBytes: this.reassemblyBytes,
      datagramsSent: p.counters.datagramsSent,
      datagramsReceived: p.counters.datagramsReceived,
      retransmissions: p.counters.retransmissions,
      duplicatesDropped: p.counters.duplicatesDropped,
      corruptDropped: p.counters.corruptDropped,
      busyAnswers: this.busyAnswers,
      resets: this.resets,
      congestionEvents: p.cc.congestionEvents,
      toleratedLosses: p.cc.toleratedLosses,
      reductions: { ...p.cc.reductions },
      minRttMs: p.rtt.minRttMs,
    };
  }

  // ---- internals shared with ClientReceiver ----

  /** Settles a call once: removes it everywhere and reports the outcome. */
  settle(call: ClientCall, outcome: CallOutcome): void {
    if (call.state === ClientState.Done) return;
    this.retire(call);
    this.onSettle(call.token, outcome);
  }

  /** Settles a call with its reply, `bytes[start, end)` (`view`: a DataView over `bytes`). */
  settleReply(
    call: ClientCall,
    bytes: Uint8Array,
    start: number,
    end: number,
    view: DataView | undefined,
  ): void {
    if (call.state === ClientState.Done) return;
    this.retire(call);
    if (this.onReply !== undefined) this.onReply(call.token, bytes, start, end, view);
    else this.onSettle(call.token, { kind: "reply", body: bytes.subarray(start, end) });
  }

  /** Removes a call from every structure (it is settled). */
  private retire(call: ClientCall): void {
    const wasSent = call.seq !== 0 && this.sent.get(call.seq) === call;
    call.state = ClientState.Done;
    this.timers.remove(call);
    if (wasSent) {
      this.sent.delete(call.seq);
      this.settledSinceAck.push(call.seq);
      this.ackPending = true;
      if (this.ackMs === Number.POSITIVE_INFINITY) this.ackMs = this.nowMs + this.o.ackDelayMs;
    }
    if (call.window !== null) call.window.abandon(this.path);
    if (call.reply !== null) {
      this.reassemblyBytes -= call.reply.footprintBytes;
      call.reply = null;
    }
  }

  /** Puts the call's next timer (deadline, action, fragment ack) in the heap. */
  schedule(call: ClientCall): void {
    if (call.state === ClientState.Done) return;
    this.timers.set(call, Math.min(call.deadlineMs, call.actionMs, call.fragmentAckMs));
  }

  /**
   * Longest silence the session allows itself while calls are in flight: a quarter of the
   * server's idle limit, so retransmissions and probes keep the session alive however short the
   * server's `sessionIdleMs` (§4.2).
   */
  get quietMaxMs(): number {
    return this.serverIdleMs / 4;
  }

  /** Retransmission delay for attempt `attempt` (1 = first retransmission). */
  backoff(attempt: number): number {
    return backoffMs({
      baseMs: this.path.rtt.rtoMs,
      attempt,
      capMs: Math.min(this.path.rtt.rtoMaxMs, this.quietMaxMs),
      jitter: this.o.jitter,
      random: this.random.next(),
    });
  }

  /**
   * Abandons the current session (the server restarted, forgot it, or stopped answering) and
   * opens a new one: with the new `epoch`, or from a first-contact Hello when `epoch` is 0.
   */
  resetSession(
    nowMs: number,
    reason: "server-restarted" | "session-expired" | "server-unreachable",
    epoch: number,
  ) {
    this.resets++;
    this.builder.seal();
    const victims = this.sent.values();
    this.sent.clear();
    this.settledSinceAck = [];
    this.ackPending = false;
    this.ackMs = Number.POSITIVE_INFINITY;
    for (const c of victims) this.settle(c, { kind: "outcome-unknown", reason });
    this.bulk = this.bulk.filter((c) => c.state !== ClientState.Done);
    this.epoch = epoch;
    this.builder.header.epoch = epoch;
    this.welcomed = false;
    this.nextSeq = 1;
    this.generation++;
    this.newSessionId();
    this.helloAttempts = 0;
    this.helloMs = nowMs;
  }

  /** Every seq below this is settled. */
  floor(): number {
    const lowest = this.sent.lowest();
    return lowest < 0 ? this.nextSeq : lowest;
  }

  private newSessionId(): void {
    this.builder.header.sessionHi = this.random.nextU32();
    this.builder.header.sessionLo = this.random.nextU32();
  }

  /** Sets `actionMs` of a call with a send window: next loss time or RTO (internal). */
  fragmentActionTime(nowMs: number, call: ClientCall): void {
    this.timerActions.fragmentActionTime(nowMs, call);
  }

  /** Sends (or re-sends) the Hello; gives up after `maxAttempts` (internal). */
  sendHello(nowMs: number): void {
    if (this.welcomed) {
      this.helloMs = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.helloAttempts >= this.o.maxAttempts) {
      // Nothing is sent before the Welcome: every waiting call is still queued, never sent.
      const attempts = this.helloAttempts;
      this.helloMs = Number.POSITIVE_INFINITY;
      const waiting = this.queue.slice(this.queueHead);
      this.queue = [];
      this.queueHead = 0;
      for (const c of waiting) {
        this.settle(c, {
          kind: "gave-up",
          phase: "connecting",
          attempts,
          elapsedMs: nowMs - c.startedMs,
        });
      }
      this.helloAttempts = 0;
      return;
    }
    this.helloAttempts++;
    if (this.helloAttempts > 1) this.path.counters.retransmissions++;
    // Once the epoch is known a Hello heads every datagram until welcomed (builder.onOpen).
    this.builder.seal();
    if (this.epoch === 0) writeHello(this.builder);
    else this.builder.ensureOpen();
    this.helloMs = nowMs + this.backoff(this.helloAttempts);
  }
}
