/**
 * The server side of the reliable layer: the session table and every client session's calls.
 *
 * Sessions start with a Hello and are identified by the client's random 64-bit id; the server's
 * incarnation number (`epoch`, random per start) is in every datagram it sends, and a datagram
 * for another epoch gets a Reset, never an execution — so after a restart, calls in flight end
 * `outcome unknown` at the caller and new calls work at once. A new call is handed to `onCall`
 * once; its retransmissions are answered with Working (still executing) or the cached reply (done);
 * the reply stays cached until the client's Ack covers it. At its limits (calls per session,
 * concurrent calls, cached reply bytes, reassembly bytes) the server answers Busy with a retry
 * hint and does not execute. Idle sessions (nothing heard for `sessionIdleMs`, nothing executing)
 * are dropped by a sweep every `sessionIdleMs / 4`.
 *
 * Sans-I/O like {@link ClientSession}: `receive`, `complete`, `poll`, `flush` take the time;
 * datagrams leave through `flush(now, send)`.
 */

import type { CongestionOptions } from "./congestion.js";
import { type Datagram, DatagramBuilder, datagramLength, SlabPool } from "./datagram-builder.js";
import { fragmentPayloadBytes, wholeBodyBytes, writeBusy, writeWhole } from "./frames.js";
import { assertRangeChecksum, type ChecksumFn, FrameType, HeaderFlag } from "./packet.js";
import { Path } from "./path.js";
import type { RttOptions } from "./rtt.js";
import { SendWindow } from "./send-window.js";
import { ServerReceiver } from "./server-receive.js";
import { ServerSender } from "./server-send.js";
import { type ServerCall, type ServerSession, ServerState } from "./server-session.js";
import { TimerHeap } from "./timer-heap.js";

/** Options of a {@link ServerEndpoint}; all but the first four have defaults. */
export interface ServerEndpointOptions {
  readonly random: { next(): number; nextU32(): number };
  readonly crc: ChecksumFn;
  /** Largest datagram to any client (and of control datagrams: Resets). */
  readonly maxDatagramBytes: number;
  /**
   * Largest datagram to one client, given its address (at most `maxDatagramBytes`); default:
   * `maxDatagramBytes` for all. Lets an adapter send large datagrams to loopback peers.
   */
  readonly datagramBytesFor?: (peer: unknown) => number;
  /**
   * Receives each new call once: the request payload is `bytes[start, end)` (valid until
   * `complete`); `view`, when given, is a DataView over `bytes` (the datagram's: a decoder need
   * not make one per call).
   */
  readonly onCall: (
    call: ServerCall,
    bytes: Uint8Array,
    start: number,
    end: number,
    view: DataView | undefined,
  ) => void;
  /**
   * Asked once about a fragmented request when its first bytes have arrived in order (`head`,
   * a view valid during the call; the request is `messageBytes` long): true hands the call to
   * `onCall` at once, with the bytes in order so far, the rest to be read with
   * {@link ServerEndpoint.takeStream} as they arrive (docs/protocol.md §5.1). Optional: without
   * it every request is handed over whole.
   */
  readonly onStreamStart?: (call: ServerCall, head: Uint8Array, messageBytes: number) => boolean;
  /** More of a streaming call's request can be taken, or all of it has arrived (optional). */
  readonly onStreamData?: (call: ServerCall) => void;
  /** Told when the client no longer wants a call that is executing (optional). */
  readonly onAbandon?: (call: ServerCall) => void;
  /**
   * Told when the endpoint lets go of a reply payload given to `complete` as one chunk and sent
   * whole (copied into its datagrams): nothing here refers to it any more, so the adapter may
   * reuse its memory (optional). Not called for replies sent in fragments: their datagrams refer
   * to the payload and may still be queued in the port.
   */
  readonly onReplyReleased?: (payload: Uint8Array) => void;
  /** This incarnation's number (default: random, non-zero). */
  readonly epoch?: number;
  readonly rtt?: RttOptions;
  /** Congestion controller settings for replies (`lossTolerant`, ...). */
  readonly congestion?: Omit<CongestionOptions, "maxDatagramBytes">;
  /** Sessions at once (default 100,000); a Hello beyond it is dropped and counted. */
  readonly maxSessions?: number;
  /** Calls per session between the floor and the newest (default 1024). */
  readonly maxCallsPerSession?: number;
  /** Calls executing at once over all sessions (default 10,000). */
  readonly maxConcurrentCalls?: number;
  /** Reply bytes cached over all sessions (default 256 MiB). */
  readonly maxCachedReplyBytes?: number;
  /** Request bytes being reassembled over all sessions (default 4 GiB). */
  readonly maxReassemblyBytes?: number;
  /** Largest request, bytes (default 2 GiB − 1). */
  readonly maxMessageBytes?: number;
  /**
   * The datagrams given to `receive` are the endpoint's to keep (each a buffer of its own that
   * nothing else writes): a streaming request then keeps views of big fragments instead of
   * copies (default false).
   */
  readonly datagramsOwned?: boolean;
  /**
   * How far a streaming request may arrive ahead of what the application has read, bytes
   * (default 32 MiB); fragments beyond are refused, and the client sends them again later.
   */
  readonly streamWindowBytes?: number;
  /** A session silent this long with nothing executing is forgotten (default 5 min). */
  readonly sessionIdleMs?: number;
  /** A call still executing this long after it arrived is acknowledged with Working (2 ms). */
  readonly workingDelayMs?: number;
  /** Retry hint sent with Busy (default 10 ms). */
  readonly busyRetryAfterMs?: number;
  /** Retransmission timeouts of a reply without progress before the server stops sending (10). */
  readonly maxAttempts?: number;
  /** The reply payload for a request larger than `maxMessageBytes` (set by the adapter). */
  readonly tooLargeReply?: Uint8Array;
}

/** Server counters (docs/protocol.md "Observability"). */
export interface ServerEndpointStats {
  readonly epoch: number;
  readonly sessions: number;
  readonly callsExecuting: number;
  readonly cachedReplyBytes: number;
  readonly reassemblyBytes: number;
  readonly callsStarted: number;
  readonly busySent: number;
  readonly resetsSent: number;
  readonly sessionsExpired: number;
  readonly sessionsRefused: number;
  readonly datagramsReceived: number;
  readonly datagramsSent: number;
  readonly corruptDropped: number;
  readonly duplicatesDropped: number;
  readonly retransmissions: number;
}

export class ServerEndpoint {
  readonly o: Required<
    Omit<
      ServerEndpointOptions,
      | "random"
      | "crc"
      | "onCall"
      | "onStreamStart"
      | "onStreamData"
      | "onAbandon"
      | "onReplyReleased"
      | "rtt"
      | "congestion"
      | "epoch"
      | "datagramBytesFor"
    >
  >;
  readonly epoch: number;
  readonly sessions = new Map<number, ServerSession>();
  readonly timers = new TimerHeap<ServerCall>();
  /** Sessions with something to send at the next flush (each once: `ServerSession.dirty`). */
  private dirty: ServerSession[] = [];
  readonly pool = new SlabPool();
  readonly crc: ChecksumFn;
  readonly onCall: ServerEndpointOptions["onCall"];
  readonly onAbandon: ServerEndpointOptions["onAbandon"];
  readonly onStreamStart: ServerEndpointOptions["onStreamStart"];
  readonly onStreamData: ServerEndpointOptions["onStreamData"];
  private readonly onReplyReleased: ServerEndpointOptions["onReplyReleased"];
  readonly datagramBytesFor: ServerEndpointOptions["datagramBytesFor"];
  readonly rttOptions: RttOptions | undefined;
  readonly congestionOptions: ServerEndpointOptions["congestion"];
  /** Datagrams for unknown sessions or old epochs (Resets), sent on the next flush. */
  readonly control: DatagramBuilder;
  controlOut: { d: Datagram; to: unknown }[] = [];
  executing = 0;
  /**
   * A FragmentAck was written since the last flush. Adapters flush at once then, instead of at
   * the end of the turn: a receiver reads many datagrams per turn, and an acknowledgement held
   * back for the rest of the batch would inflate the sender's RTT samples (and its congestion
   * controller would take the receiver's batch for a queue).
   */
  ackPending = false;
  cachedReplyBytes = 0;
  reassemblyBytes = 0;
  readonly counters = {
    callsStarted: 0,
    busySent: 0,
    resetsSent: 0,
    sessionsExpired: 0,
    sessionsRefused: 0,
    datagramsReceived: 0,
    datagramsSent: 0,
    corruptDropped: 0,
    duplicatesDropped: 0,
    retransmissions: 0,
  };
  private sweepMs: number;
  private readonly receiver: ServerReceiver;
  private readonly sender: ServerSender;

  constructor(options: ServerEndpointOptions) {
    assertRangeChecksum(options.crc);
    this.crc = options.crc;
    this.onCall = options.onCall;
    this.onAbandon = options.onAbandon;
    this.onStreamStart = options.onStreamStart;
    this.onStreamData = options.onStreamData;
    this.onReplyReleased = options.onReplyReleased;
    this.datagramBytesFor = options.datagramBytesFor;
    this.rttOptions = options.rtt;
    this.congestionOptions = options.congestion;
    let epoch = options.epoch ?? 0;
    while (epoch === 0) epoch = options.random.nextU32();
    this.epoch = epoch >>> 0;
    this.o = {
      maxDatagramBytes: options.maxDatagramBytes,
      maxSessions: options.maxSessions ?? 100_000,
      maxCallsPerSession: options.maxCallsPerSession ?? 1024,
      maxConcurrentCalls: options.maxConcurrentCalls ?? 10_000,
      maxCachedReplyBytes: options.maxCachedReplyBytes ?? 256 * 1024 * 1024,
      maxReassemblyBytes: options.maxReassemblyBytes ?? 4 * 1024 ** 3,
      maxMessageBytes: options.maxMessageBytes ?? 0x7fffffff,
      streamWindowBytes: options.streamWindowBytes ?? 32 * 1024 * 1024,
      datagramsOwned: options.datagramsOwned ?? false,
      sessionIdleMs: options.sessionIdleMs ?? 300_000,
      workingDelayMs: options.workingDelayMs ?? 2,
      busyRetryAfterMs: options.busyRetryAfterMs ?? 10,
      maxAttempts: options.maxAttempts ?? 10,
      tooLargeReply: options.tooLargeReply ?? new Uint8Array(0),
    };
    this.control = new DatagramBuilder({
      maxDatagramBytes: options.maxDatagramBytes,
      crc: options.crc,
      header: { flags: HeaderFlag.FromServer, sessionHi: 0, sessionLo: 0, epoch: this.epoch },
      pool: this.pool,
    });
    this.sweepMs = this.o.sessionIdleMs / 4;
    this.sender = new ServerSender(this);
    this.receiver = new ServerReceiver(this, this.sender);
  }

  /** Handles one datagram from `peer` (an address the adapter understands). */
  receive(nowMs: number, data: Uint8Array, peer: unknown): void {
    this.receiver.receive(nowMs, data, peer);
  }

  /** Largest datagram to a new session's client. */
  datagramBytesOf(peer: unknown): number {
    const max = this.o.maxDatagramBytes;
    return this.datagramBytesFor === undefined ? max : Math.min(max, this.datagramBytesFor(peer));
  }

  /** A path for a new session whose datagrams are at most `maxDatagramBytes`. */
  newPath(maxDatagramBytes: number): Path {
    return new Path({
      maxDatagramBytes,
      rtt: this.rttOptions,
      congestion: this.congestionOptions,
    });
  }

  /**
   * The application finished `call` with `chunks` as the reply payload. Ignored when the client
   * no longer wants it (the floor passed it, or its session is gone).
   */
  complete(nowMs: number, call: ServerCall, chunks: readonly Uint8Array[]): void {
    if (call.streaming && call.state === ServerState.Receiving) {
      // The reply waits for the rest of the request, which nobody reads any more.
      call.pendingReply = chunks;
      const r = call.request!;
      const held = r.footprintBytes;
      r.discardStream();
      this.reassemblyBytes += r.footprintBytes - held;
      return;
    }
    if (call.state !== ServerState.Executing) {
      this.releaseReply(chunks);
      return;
    }
    const s = call.session;
    this.executing--;
    s.executing--;
    call.workingMs = Number.POSITIVE_INFINITY;
    if (call.heapIndex >= 0) this.schedule(call);
    this.releaseRequest(call);
    if (call.unwanted || s.closed) {
      call.state = ServerState.Acked;
      this.releaseReply(chunks);
      return;
    }
    call.state = ServerState.Done;
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    call.cachedBytes = bytes;
    this.cachedReplyBytes += bytes;
    const heldUs = (nowMs - call.receivedMs) * 1000;
    if (wholeBodyBytes(FrameType.Reply, bytes) <= s.builder.maxFrameBody) {
      call.reply = chunks.length === 1 ? chunks[0]! : join(chunks, bytes);
      writeWhole(s.builder, FrameType.Reply, call.seq, heldUs, call.reply);
    } else {
      call.window = new SendWindow(chunks, fragmentPayloadBytes(s.builder.maxFrameBody));
      s.bulk.push(call);
    }
    this.markDirty(s);
  }

  /**
   * The application refused `call` without running it (at a limit): the entry is removed, so a
   * retry executes it, and the client gets Busy with `retryAfterMs`.
   */
  refuse(call: ServerCall, retryAfterMs: number): void {
    if (!running(call)) return;
    const s = call.session;
    this.executing--;
    s.executing--;
    call.workingMs = Number.POSITIVE_INFINITY;
    this.timers.remove(call);
    this.releaseRequest(call);
    call.state = ServerState.Acked;
    if (s.calls.get(call.seq) === call) s.calls.delete(call.seq);
    if (s.closed || call.unwanted) return;
    this.counters.busySent++;
    writeBusy(s.builder, call.seq, retryAfterMs);
    this.markDirty(s);
  }

  /**
   * Hands `call` to the application while its request still arrives (`onStreamStart` said so):
   * called by the receive path once the request's first bytes are in order.
   */
  startStream(nowMs: number, call: ServerCall): void {
    const r = call.request!;
    if (!this.onStreamStart!(call, r.head, r.messageBytes)) return;
    const held = r.footprintBytes;
    const head = r.startStream(this.o.streamWindowBytes, this.o.datagramsOwned);
    this.reassemblyBytes += r.footprintBytes - held;
    call.streaming = true;
    call.receivedMs = nowMs;
    this.executing++;
    call.session.executing++;
    this.counters.callsStarted++;
    this.onCall(call, head, 0, head.length, undefined);
  }

  /** The last fragment of a streaming call's request arrived. */
  streamComplete(nowMs: number, call: ServerCall): void {
    call.state = ServerState.Executing;
    call.receivedMs = nowMs;
    const reply = call.pendingReply;
    if (reply !== null) {
      call.pendingReply = null;
      this.complete(nowMs, call, reply);
      return;
    }
    call.workingMs = nowMs + this.o.workingDelayMs;
    this.schedule(call);
    this.onStreamData?.(call);
  }

  /**
   * Moves the bytes of a streaming call's request that have arrived in order since the last take
   * into `into` (the caller's to keep); true once the whole request has been taken.
   */
  takeStream(call: ServerCall, into: Uint8Array[]): boolean {
    const r = call.request;
    if (r === null || !r.streaming) return call.state !== ServerState.Receiving;
    const held = r.footprintBytes;
    r.takeStream(into);
    this.reassemblyBytes += r.footprintBytes - held;
    if (!r.complete) return false;
    this.releaseRequest(call);
    return true;
  }

  /** Runs every timer due at `nowMs`. */
  poll(nowMs: number): void {
    const heap = this.timers;
    while (heap.peekMs() <= nowMs) {
      const call = heap.pop()!;
      if (!call.session.closed) this.sender.onTimer(nowMs, call);
    }
    if (nowMs >= this.sweepMs) this.sweep(nowMs);
  }

  /** Earliest time {@link poll} or {@link flush} has work. */
  nextDeadlineMs(): number {
    return Math.min(this.timers.peekMs(), this.sweepMs, this.sender.pacingMs);
  }

  /** Sends everything built since the last flush. */
  flush(nowMs: number, send: (d: Datagram, to: unknown) => void): void {
    this.ackPending = false;
    if (this.controlOut.length > 0) {
      const control = this.controlOut;
      this.controlOut = [];
      for (const { d, to } of control) {
        this.counters.datagramsSent++;
        send(d, to);
      }
    }
    this.sender.pacingMs = Number.POSITIVE_INFINITY;
    if (this.dirty.length === 0) {
      for (const s of this.sender.takePaced()) this.markDirty(s);
      return;
    }
    const dirty = this.dirty;
    this.dirty = [];
    for (const s of dirty) {
      s.dirty = false;
      if (s.closed) continue;
      if (s.bulk.length > 0) this.sender.sendFragments(nowMs, s);
      for (const d of s.builder.take()) {
        this.counters.datagramsSent++;
        s.path.counters.datagramsSent++;
        s.path.counters.bytesSent += datagramLength(d);
        send(d, s.peer);
      }
    }
    // Sessions the pacer held back are flushed again when their time comes.
    for (const s of this.sender.takePaced()) this.markDirty(s);
  }

  /** Notes that `s` has something to send at the next flush. */
  markDirty(s: ServerSession): void {
    if (s.dirty) return;
    s.dirty = true;
    this.dirty.push(s);
  }

  /** Puts a call's next timer in the heap. */
  schedule(call: ServerCall): void {
    this.timers.set(call, Math.min(call.workingMs, call.fragmentAckMs, call.actionMs));
  }

  /** Hands back a reply payload that was given to `complete` but not kept. */
  private releaseReply(chunks: readonly Uint8Array[]): void {
    if (chunks.length === 1) this.onReplyReleased?.(chunks[0]!);
  }

  /** Frees the request reassembly a call holds. */
  releaseRequest(call: ServerCall): void {
    if (call.request !== null) {
      this.reassemblyBytes -= call.request.footprintBytes;
      call.request = null;
    }
  }

  /** Forgets a call entirely (the floor passed it). */
  forget(call: ServerCall): void {
    const s = call.session;
    s.calls.delete(call.seq);
    this.drop(call);
  }

  /** Frees what a call holds and marks it acknowledged (the entry, if kept, drops duplicates). */
  drop(call: ServerCall): void {
    const s = call.session;
    if (running(call)) {
      if (call.state === ServerState.Receiving) {
        // A streaming call: what is left of its request is not wanted either.
        this.releaseRequest(call);
        call.state = ServerState.Executing;
        call.fragmentAckMs = Number.POSITIVE_INFINITY;
      }
      call.unwanted = true;
      const reply = call.pendingReply;
      if (reply !== null) {
        // The application had finished (its reply waited for the request): balance its counts.
        call.pendingReply = null;
        this.complete(0, call, reply);
        return;
      }
      this.onAbandon?.(call);
      return;
    }
    this.releaseRequest(call);
    this.cachedReplyBytes -= call.cachedBytes;
    call.cachedBytes = 0;
    if (call.reply !== null) {
      const reply = call.reply;
      call.reply = null;
      this.onReplyReleased?.(reply);
    }
    if (call.window !== null) {
      call.window.abandon(s.path);
      call.window = null;
    }
    call.state = ServerState.Acked;
    call.actionMs = Number.POSITIVE_INFINITY;
    call.fragmentAckMs = Number.POSITIVE_INFINITY;
    this.timers.remove(call);
  }

  /** Calls `fn` for every call still executing (e.g. to abort them when the server closes). */
  forEachExecuting(fn: (call: ServerCall) => void): void {
    for (const s of this.sessions.values()) {
      if (s.executing === 0) continue;
      for (const c of s.calls.values()) if (running(c)) fn(c);
    }
  }

  /** Drops a session and everything it holds. */
  closeSession(s: ServerSession): void {
    s.closed = true;
    this.sessions.delete(sessionKeyOf(s));
    for (const c of s.calls.values()) {
      this.timers.remove(c);
      if (c.state === ServerState.Executing) {
        // `complete` still balances the executing counts when the application finishes.
        c.unwanted = true;
        this.onAbandon?.(c);
      } else {
        this.drop(c);
      }
    }
    s.calls.clear();
  }

  stats(): ServerEndpointStats {
    return {
      epoch: this.epoch,
      sessions: this.sessions.size,
      callsExecuting: this.executing,
      cachedReplyBytes: this.cachedReplyBytes,
      reassemblyBytes: this.reassemblyBytes,
      ...this.counters,
    };
  }

  /** Forgets sessions silent for `sessionIdleMs` with nothing executing. */
  private sweep(nowMs: number): void {
    this.sweepMs = nowMs + this.o.sessionIdleMs / 4;
    for (const s of [...this.sessions.values()]) {
      if (nowMs - s.lastHeardMs < this.o.sessionIdleMs) continue;
      if (s.executing === 0) {
        this.counters.sessionsExpired++;
        this.closeSession(s);
        continue;
      }
      // A streaming request that stopped arriving: its reader is told the call was abandoned.
      for (const c of [...s.calls.values()]) {
        if (c.streaming && c.state === ServerState.Receiving) this.drop(c);
      }
    }
  }
}

/** Handed to the application and not finished: executing, or streaming its request. */
function running(call: ServerCall): boolean {
  return (
    call.state === ServerState.Executing || (call.streaming && call.state === ServerState.Receiving)
  );
}

function sessionKeyOf(s: ServerSession): number {
  return (s.sessionHi & 0x1fffff) * 0x1_0000_0000 + s.sessionLo;
}

function join(chunks: readonly Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
