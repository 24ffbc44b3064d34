/**
 * `ClientTransport` over Lupine's reliable layer: the adapter between the runtime's
 * request/response seam (runtime/transport.ts) and a sans-I/O {@link ClientSession}, driven by a
 * {@link DatagramPort}, a {@link Clock} and a {@link Random} — Node's in production, the simulated
 * network's in tests, with no other difference.
 *
 * Contract: `call` settles exactly once (result or `RpcError`); many calls may be in flight;
 * output is packed into as few datagrams as possible and leaves when a batch of calls is ready,
 * when the calls being made now are made if none was in flight, else at the end of the turn
 * (`defer`) — docs/protocol.md §3.2; one clock timer tracks the session's earliest deadline.
 * `close` fails pending calls with `closed` and closes the port when the transport owns it.
 */
import type { Clock, TimerHandle } from "../io/clock.js";
import type { DatagramPort, Endpoint } from "../io/datagram.js";
import type { Random } from "../io/random.js";
import { ClientCall, ClientState } from "../reliable/client-call.js";
import {
  ClientSession,
  type ClientSessionOptions,
  type ClientSessionStats,
} from "../reliable/client-session.js";
import type { CallOutcome } from "../reliable/outcome.js";
import type { ChecksumFn } from "../reliable/packet.js";
import { PayloadArena } from "../reliable/payload-arena.js";
import { RpcError } from "../runtime/errors.js";
import type { CallRequest, ClientTransport } from "../runtime/transport.js";
import { XdrReader, XdrWriter } from "../xdr/index.js";
import { outcomeError } from "./lupine-errors.js";
import { defaultDatagramBytes } from "./lupine-mtu.js";
import { ReplyStatus, writeCallHeader } from "./lupine-payload.js";

/** Options of {@link createLupineClient}. */
export interface LupineClientOptions
  extends Partial<
    Omit<ClientSessionOptions, "random" | "crc" | "onSettle" | "onReply" | "maxDatagramBytes">
  > {
  readonly port: DatagramPort;
  /** The server's address. */
  readonly server: Endpoint;
  readonly clock: Clock;
  readonly random: Random;
  readonly crc: ChecksumFn;
  /** Runs `fn` soon after the current turn (Node: setImmediate; default queueMicrotask). */
  readonly defer?: (fn: () => void) => void;
  /**
   * Calls started in one turn after which the requests built so far leave at once instead of at
   * the deferred flush (default {@link FLUSH_EVERY_CALLS}); see `flushEveryCalls` in
   * docs/protocol.md "When datagrams leave".
   */
  readonly flushEveryCalls?: number;
  /**
   * Largest datagram (default: the port's limit, and for the server's address what
   * `defaultDatagramBytes` says: 65,507 to loopback, else 1,472 — an Ethernet MTU's payload).
   */
  readonly maxDatagramBytes?: number;
  /** Close the port on `close()` (default true). */
  readonly ownsPort?: boolean;
}

/** A Lupine client transport, with its statistics. */
export interface LupineClientTransport extends ClientTransport {
  readonly kind: "lupine";
  /** SRTT, RTTVAR, RTO, cwnd, retransmissions, duplicates, corrupt datagrams, calls in flight. */
  stats(): ClientSessionStats;
}

/**
 * One call: the session's state of it and the adapter's (its promise, its request, its abort
 * listener) in one object, so that a call allocates as little as possible.
 */
class LupineCall extends ClientCall {
  resolve: (v: unknown) => void = noop;
  reject: (e: unknown) => void = noop;
  request: CallRequest<unknown>;
  onAbort: (() => void) | null = null;

  constructor(options: {
    token: null;
    request: CallRequest<unknown>;
    chunks: readonly Uint8Array[];
    bytes: number;
    nowMs: number;
    timeoutMs: number;
  }) {
    super(options);
    this.request = options.request;
    this.token = this;
  }
}

/**
 * Default of {@link LupineClientOptions.flushEveryCalls}: a batch this size already fills most
 * of the per-datagram cost's worth of work (a call costs a fraction of what a datagram does), and
 * sending it while the rest of the turn's calls are still being made lets the server work on it
 * in parallel — one batch of 128 calls bouncing between two processes leaves each idle while the
 * other works.
 */
export const FLUSH_EVERY_CALLS = 32;

/**
 * Calls to collect before sending them without waiting for the deferred flush: half of those
 * outstanding (sent or being made), between `limit / 2` and `limit`. With two or more batches
 * in flight, client and server each work on one while the other's is on its way; one batch of
 * all the calls would leave each process idle while the other works on it.
 */
function batchLimit(outstanding: number, limit: number): number {
  return Math.min(limit, Math.max(limit >> 1, outstanding >> 1));
}

const noop = () => {};
/**
 * Queues microtasks through a settled promise: Node's `queueMicrotask` wraps each callback in an
 * `AsyncResource` and a bound function, a cost paid on every ping-pong call's path to the wire.
 */
const SETTLED = Promise.resolve();
// The promise executor is one shared function (no closure per call): it hands the resolving
// functions over through these two slots, read right after `new Promise` returns.
let nextResolve: (v: unknown) => void = noop;
let nextReject: (e: unknown) => void = noop;
const capture = (resolve: (v: unknown) => void, reject: (e: unknown) => void) => {
  nextResolve = resolve;
  nextReject = reject;
};

/** Creates a client transport to one Lupine server. */
export function createLupineClient(options: LupineClientOptions): LupineClientTransport {
  return new LupineClient(options);
}

class LupineClient implements LupineClientTransport {
  readonly kind = "lupine" as const;
  private readonly session: ClientSession;
  private readonly port: DatagramPort;
  private readonly server: Endpoint;
  private readonly clock: Clock;
  private readonly defer: (fn: () => void) => void;
  private readonly ownsPort: boolean;
  private readonly writer = new XdrWriter(512);
  /** Copies of small requests, kept until their replies arrive. */
  private readonly arena = new PayloadArena();
  private flushQueued = false;
  /** Calls started since the last flush. */
  private startedSinceFlush = 0;
  private readonly flushEveryCalls: number;
  private timer: TimerHandle | null = null;
  private timerAtMs = Number.POSITIVE_INFINITY;
  private closed = false;
  private readonly flushNow = () => this.flush();
  private armQueued = false;
  /** A call was made since `armSoon` was queued: that call's flush moves the timer. */
  private calledSinceArm = false;
  private readonly armNow = () => {
    this.armQueued = false;
    if (!this.closed) this.armTimer(this.clock.now());
  };
  /** `armSoon`'s first step, after the settled caller's continuation (see there). */
  private readonly armAfterCaller = () => {
    if (this.calledSinceArm) this.armQueued = false;
    else this.defer(this.armNow);
  };
  private soonQueued = false;
  private readonly flushSoon = () => {
    this.soonQueued = false;
    this.flush();
  };
  private readonly onTimer = () => {
    this.timer = null;
    this.timerAtMs = Number.POSITIVE_INFINITY;
    if (this.closed) return;
    this.session.poll(this.clock.now());
    this.flush();
  };

  constructor(o: LupineClientOptions) {
    this.port = o.port;
    this.server = o.server;
    this.clock = o.clock;
    this.defer = o.defer ?? queueMicrotask;
    this.ownsPort = o.ownsPort ?? true;
    this.flushEveryCalls = Math.max(1, o.flushEveryCalls ?? FLUSH_EVERY_CALLS);
    const {
      port,
      server,
      clock,
      defer,
      ownsPort,
      maxDatagramBytes,
      flushEveryCalls,
      ...sessionOptions
    } = o;
    this.session = new ClientSession({
      ...sessionOptions,
      random: o.random,
      crc: o.crc,
      maxDatagramBytes:
        maxDatagramBytes ?? Math.min(port.maxDatagramSize, defaultDatagramBytes(server)),
      onSettle: (token, outcome) => this.settle(token as LupineCall, outcome),
      onReply: (token, bytes, start, end, view) =>
        this.settleReply(token as LupineCall, bytes, start, end, view),
    });
    port.onMessage((data) => {
      if (this.closed) return;
      const now = this.clock.now();
      this.session.receive(now, data);
      // Fragment acknowledgements leave at once, not after the rest of this turn's datagrams.
      if (this.session.fragmentAckPending) this.flush();
      else if (this.session.wantsFlush) this.kick();
      // Nothing to send (the usual case: replies that settled calls): only the timer may have to
      // move, for the delayed Ack. It moves after this turn's calls are made: the next call
      // usually carries that Ack, and then the timer stays on the calls' retransmission times.
      else this.armSoon();
    });
    port.onError(({ error }) => {
      // Port unreachable (connected sockets see it) fails calls that cannot have run; other
      // errors (EMSGSIZE, no route) surface as silence, which the retransmission timers handle.
      if ((error as NodeJS.ErrnoException).code === "ECONNREFUSED") {
        this.session.refused();
        this.kick();
      }
    });
  }

  call<R>(request: CallRequest<R>): Promise<R> {
    if (this.closed) return Promise.reject(new RpcError("closed", "transport is closed"));
    if (request.signal?.aborted) {
      return Promise.reject(new RpcError("canceled", `${request.procedureName} was canceled`));
    }
    const w = this.writer;
    w.reset();
    let chunks: Uint8Array[];
    try {
      writeCallHeader(w, request);
      request.writeArgs(w);
      const small = w.written();
      chunks = small === null ? w.finishChunks() : [this.arena.copy(small)];
    } catch (e) {
      return Promise.reject(RpcError.from(e, "invalid_argument"));
    }
    this.calledSinceArm = true;
    const nowMs = this.clock.now();
    const call = new LupineCall({
      token: null,
      request: request as CallRequest<unknown>,
      chunks,
      bytes: w.length,
      nowMs,
      timeoutMs: request.timeoutMs > 0 ? request.timeoutMs : Number.POSITIVE_INFINITY,
    });
    const promise = new Promise<unknown>(capture) as Promise<R>;
    call.resolve = nextResolve;
    call.reject = nextReject;
    this.session.start(nowMs, call);
    if (request.signal !== undefined && call.state !== ClientState.Done) {
      const signal = request.signal;
      call.onAbort = () => {
        this.session.cancel(call);
        this.kick();
      };
      signal.addEventListener("abort", call.onAbort, { once: true });
    }
    const inFlight = this.session.sent.size;
    if (
      ++this.startedSinceFlush >=
      batchLimit(inFlight + this.startedSinceFlush, this.flushEveryCalls)
    ) {
      // A batch is ready: it leaves now, and the server starts on it while the rest are made.
      this.flush();
    } else if (inFlight === 0) {
      // Nothing awaits an answer, so no reply can come to add company this turn (Nagle's rule,
      // RFC 896): leave as soon as the code that is making calls now has made them.
      this.kickSoon();
    } else {
      this.kick();
    }
    return promise;
  }

  stats(): ClientSessionStats {
    return this.session.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.session.close();
    // Tell the server what we settled before leaving.
    this.flush();
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.ownsPort) this.port.close();
  }

  private settle(p: LupineCall, outcome: CallOutcome): void {
    if (outcome.kind === "reply") {
      this.settleReply(p, outcome.body, 0, outcome.body.length, undefined);
      return;
    }
    this.releaseRequest(p);
    if (p.onAbort !== null) p.request.signal?.removeEventListener("abort", p.onAbort);
    p.reject(outcomeError(p.request.procedureName, outcome));
  }

  /**
   * The call is settled: its request copy goes back to the arena, unless it was sent in
   * fragments (datagrams that refer to it may still be queued in the port).
   */
  private releaseRequest(p: LupineCall): void {
    if (p.window === null && p.chunks.length === 1) this.arena.release(p.chunks[0]!);
  }

  private settleReply(
    p: LupineCall,
    bytes: Uint8Array,
    start: number,
    end: number,
    view: DataView | undefined,
  ): void {
    this.releaseRequest(p);
    if (p.onAbort !== null) p.request.signal?.removeEventListener("abort", p.onAbort);
    try {
      p.resolve(this.decodeReply(p.request, new XdrReader(bytes, start, end, view)));
    } catch (e) {
      p.reject(RpcError.from(e, "malformed"));
    }
  }

  private decodeReply(request: CallRequest<unknown>, r: XdrReader): unknown {
    const status = r.readUint();
    const name = request.procedureName;
    switch (status) {
      case ReplyStatus.SUCCESS: {
        const v = request.readResult(r);
        r.assertEnd();
        return v;
      }
      case ReplyStatus.PROG_UNAVAIL:
        throw new RpcError("prog_unavail", `program ${request.program} is not served (${name})`);
      case ReplyStatus.PROG_MISMATCH: {
        const low = r.readUint();
        const high = r.readUint();
        throw new RpcError(
          "prog_mismatch",
          `program ${request.program} version ${request.version} not served; ${low}..${high} are`,
          { details: { low, high } },
        );
      }
      case ReplyStatus.PROC_UNAVAIL:
        throw new RpcError(
          "proc_unavail",
          `procedure ${request.procedure} (${name}) is not served`,
        );
      case ReplyStatus.GARBAGE_ARGS:
        throw new RpcError("garbage_args", `server could not decode the arguments of ${name}`);
      case ReplyStatus.SYSTEM_ERR:
        throw new RpcError("system_err", `server failed executing ${name}`);
      case ReplyStatus.AUTH_ERROR: {
        const authStat = r.readUint();
        throw new RpcError("auth_error", `credentials refused (auth_stat ${authStat})`, {
          details: { authStat },
        });
      }
      default:
        throw new RpcError("malformed", `unknown reply status ${status} for ${name}`);
    }
  }

  /** Schedules a flush for the end of this turn and keeps the timer on the next deadline. */
  private kick(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.defer(this.flushNow);
    }
  }

  /** Schedules a flush for when the current microtasks are done (once per batch of them). */
  private kickSoon(): void {
    if (!this.soonQueued) {
      this.soonQueued = true;
      void SETTLED.then(this.flushSoon);
    }
  }

  private flush(): void {
    this.flushQueued = false;
    this.startedSinceFlush = 0;
    if (this.closed) return;
    const now = this.clock.now();
    for (const d of this.session.flush(now)) this.port.send(d, this.server);
    this.armTimer(now);
  }

  /**
   * Moves the timer, if the session's earliest deadline is earlier, after the calls of this turn
   * are made instead of now. A reply sets the delayed Ack's deadline (`ackDelayMs`, 5 ms), and
   * the call its caller makes next in the same turn usually carries the Ack and clears it: armed at
   * once, the clock timer would sit within 5 ms all through a ping-pong run, and a near timer makes
   * this machine's wake-up on the next reply slower (2026-11-27: the server's send to the client's
   * receive took 1.2–1.9 µs longer than with the Ack delay at 200 ms; the ping-pong p50 fell from
   * 1.21× to 1.18× raw echo with this change; docs/lupine.md "The rest, found: the client's timer").
   *
   * Two steps, so that the usual case costs a microtask and not a `defer` (`setImmediate`: 1.4–1.8
   * µs of the client's CPU per ping-pong call, docs/lupine.md "The deferred timer move, cheaper"):
   * a microtask queued after the reply's settlement runs after a caller that awaits the call
   * directly has made its next call; if it has, that call's flush moves the timer, and nothing is
   * left to do. If not (no call follows, or the caller's continuation is more promise hops away),
   * the move waits for `defer` as before.
   */
  private armSoon(): void {
    if (!this.armQueued) {
      this.armQueued = true;
      this.calledSinceArm = false;
      void SETTLED.then(this.armAfterCaller);
    }
  }

  /** Keeps the clock timer on the session's earliest deadline (moved only when that is earlier). */
  private armTimer(now: number): void {
    const next = this.session.nextDeadlineMs();
    if (next < this.timerAtMs) {
      if (this.timer !== null) this.clock.clearTimeout(this.timer);
      this.timerAtMs = next;
      this.timer = this.clock.setTimeout(this.onTimer, Math.max(0, next - now));
    }
  }
}
