/**
 * `ServerTransport` over Lupine's reliable layer: receives datagrams on a {@link DatagramPort},
 * feeds a sans-I/O {@link ServerEndpoint}, hands each new call to the runtime's `Dispatcher` once,
 * and sends its reply, which the endpoint caches until the client acknowledges it. Replies leave
 * when the datagram that asked for them has been handled, in batches of `flushEveryReplies`
 * (docs/protocol.md §3.2); those of asynchronous handlers at the end of the turn (`defer`).
 *
 * Contract: `listen` starts receiving and resolves with the port's address. A handler is run at
 * most once per call (exactly once when the call succeeds); a Dispatcher outcome of `busy`
 * becomes a Busy frame and the call is not recorded, so the client's retry runs it. `close(graceMs)`
 * stops taking new calls, lets executing calls finish for up to `graceMs`, sends their replies,
 * aborts the rest and closes the port.
 */
import type { Clock, TimerHandle } from "../io/clock.js";
import type { DatagramPort, Endpoint } from "../io/datagram.js";
import type { Random } from "../io/random.js";
import type { ChecksumFn } from "../reliable/packet.js";
import { PayloadArena } from "../reliable/payload-arena.js";
import {
  ServerEndpoint,
  type ServerEndpointOptions,
  type ServerEndpointStats,
} from "../reliable/server-endpoint.js";
import type { ServerCall } from "../reliable/server-session.js";
import type { OpaqueAuth, PeerIdentity, RemoteAddress } from "../runtime/context.js";
import { RpcError } from "../runtime/errors.js";
import type {
  ArgumentBody,
  Dispatcher,
  DispatchOutcome,
  IncomingCall,
  ServerTransport,
} from "../runtime/transport.js";
import { XdrReader, XdrWriter } from "../xdr/index.js";
import { defaultDatagramBytes } from "./lupine-mtu.js";
import { ReplyStatus, readAuth, writeReply } from "./lupine-payload.js";

/** Options of {@link createLupineServer}. */
export interface LupineServerOptions
  extends Partial<
    Omit<
      ServerEndpointOptions,
      | "random"
      | "crc"
      | "onCall"
      | "onStreamStart"
      | "onStreamData"
      | "onAbandon"
      | "onReplyReleased"
      | "maxDatagramBytes"
      | "datagramBytesFor"
      | "tooLargeReply"
      | "datagramsOwned"
    >
  > {
  /** A bound port (Node: `openUdp({ port })`; tests: a simulated node's port). */
  readonly port: DatagramPort;
  readonly clock: Clock;
  readonly random: Random;
  readonly crc: ChecksumFn;
  /** Runs `fn` soon after the current turn (Node: setImmediate; default queueMicrotask). */
  readonly defer?: (fn: () => void) => void;
  /**
   * Replies built while handling one received datagram after which they leave at once, before
   * the rest of its calls run (default {@link FLUSH_EVERY_REPLIES}).
   */
  readonly flushEveryReplies?: number;
  /**
   * Largest datagram for every session; by default each session's is chosen from its client's
   * address (`defaultDatagramBytes`: 65,507 to loopback, else 1,472), within the port's limit.
   */
  readonly maxDatagramBytes?: number;
  /**
   * Bytes `port` adds to every datagram it sends (the secure port's sealing overhead), taken off
   * each session's default size so the datagram on the wire still fits the path. Default 0.
   */
  readonly datagramOverheadBytes?: number;
  /** Told about handler failures (default: console.error). */
  readonly log?: (message: string, error: unknown) => void;
  /**
   * Set when `port` authenticates its datagrams (the secure transport, `lupine-secure.ts`): the
   * caller's identity behind an address, handed to handlers as `CallContext.peer`; calls are then
   * marked `secure`.
   */
  readonly identify?: (from: Endpoint) => PeerIdentity | undefined;
}

/** A Lupine server transport, with its statistics. */
export interface LupineServerTransport extends ServerTransport {
  readonly kind: "lupine";
  stats(): ServerEndpointStats;
}

/** Creates a server transport on a bound port. */
export function createLupineServer(options: LupineServerOptions): LupineServerTransport {
  return new LupineServer(options);
}

/**
 * The `IncomingCall` handed to the dispatcher: a class, so the lazily created AbortSignal is a
 * prototype getter rather than an accessor defined per call (the hot path allocates little).
 */
class LupineIncomingCall implements IncomingCall {
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  readonly credential: OpaqueAuth;
  readonly verifier: OpaqueAuth;
  readonly args: XdrReader;
  /** The rest of the arguments of a call dispatched while its request arrives. */
  body: ArgumentBody | undefined = undefined;
  readonly transport = "lupine";
  private readonly call: ServerCall;
  private readonly identify: ((from: Endpoint) => PeerIdentity | undefined) | undefined;

  /** Reads the call header from `args` (XdrError on bad input), leaving it at the arguments. */
  constructor(
    args: XdrReader,
    call: ServerCall,
    identify: ((from: Endpoint) => PeerIdentity | undefined) | undefined,
  ) {
    this.program = args.readUint();
    this.version = args.readUint();
    this.procedure = args.readUint();
    this.credential = readAuth(args);
    this.verifier = readAuth(args);
    this.args = args;
    this.call = call;
    this.identify = identify;
  }

  get remote(): RemoteAddress {
    return this.call.session.peer as Endpoint;
  }

  /** Encrypted and authenticated: the port is the secure transport's. */
  get secure(): boolean {
    return this.identify !== undefined;
  }

  /** The caller's key, when the port authenticates (`LupineServerOptions.identify`). */
  get peer(): PeerIdentity | undefined {
    return this.identify?.(this.call.session.peer as Endpoint);
  }

  /**
   * Created on first use (kept as the call's `token`); aborted when the client no longer wants
   * the result or the server closes.
   */
  get signal(): AbortSignal {
    let c = this.call.token as AbortController | null;
    if (c === null) {
      c = new AbortController();
      this.call.token = c;
    }
    return c.signal;
  }
}

/**
 * Aborts the signal of an executing call: its AbortController if a handler has asked for the
 * signal, else one made aborted now, so that a handler asking later sees it aborted. A reader of
 * the call's streaming request gets `canceled`.
 */
function abortCall(call: ServerCall): void {
  let c = call.token as AbortController | null;
  if (c === null) {
    c = new AbortController();
    call.token = c;
  }
  c.abort();
  (call.body as RequestStream | null)?.fail(
    new RpcError("canceled", "the caller abandoned the call, or the server closed", {
      remote: false,
    }),
  );
}

/**
 * The arguments of a streaming call after its first bytes (`IncomingCall.body`): each read takes
 * what the endpoint holds in order, or waits until more arrives (`wake`). Memory stays within the
 * endpoint's stream window: bytes are taken from it only when read. A waiting reader is woken at
 * most once per turn (`defer`), after every datagram of the turn has been handled: the bytes of
 * all of them reach it together (in one chunk when they are small), not one datagram's at a time.
 */
class RequestStream implements ArgumentBody {
  readonly totalBytes: number;
  private readonly endpoint: ServerEndpoint;
  private readonly call: ServerCall;
  private chunks: Uint8Array[] = [];
  private next = 0;
  private ended = false;
  private failure: Error | null = null;
  private iterated = false;
  private waiting: {
    resolve: (r: IteratorResult<Uint8Array>) => void;
    reject: (e: unknown) => void;
  } | null = null;
  private readonly defer: (fn: () => void) => void;
  private wakeQueued = false;
  private readonly deliver = () => {
    this.wakeQueued = false;
    const w = this.waiting;
    if (w === null) return;
    const r = this.take();
    if (r === null) return;
    this.waiting = null;
    w.resolve(r);
  };

  constructor(
    endpoint: ServerEndpoint,
    call: ServerCall,
    totalBytes: number,
    defer: (fn: () => void) => void,
  ) {
    this.endpoint = endpoint;
    this.call = call;
    this.totalBytes = totalBytes;
    this.defer = defer;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.iterated) throw new TypeError("a streamed request can be read once");
    this.iterated = true;
    return { next: () => this.read() };
  }

  /** More may be taken, or the request is whole. */
  wake(): void {
    if (this.waiting === null || this.wakeQueued) return;
    this.wakeQueued = true;
    this.defer(this.deliver);
  }

  fail(e: Error): void {
    if (this.failure !== null || (this.ended && this.next >= this.chunks.length)) return;
    this.failure = e;
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }

  private read(): Promise<IteratorResult<Uint8Array>> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const r = this.take();
    if (r !== null) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** The next chunk, the end, or null (nothing yet). */
  private take(): IteratorResult<Uint8Array> | null {
    if (this.next >= this.chunks.length && !this.ended) {
      this.chunks.length = 0;
      this.next = 0;
      this.ended = this.endpoint.takeStream(this.call, this.chunks);
    }
    if (this.next < this.chunks.length) {
      const value = this.chunks[this.next]!;
      this.chunks[this.next++] = EMPTY;
      return { value, done: false };
    }
    return this.ended ? { value: undefined, done: true } : null;
  }
}

/**
 * Default of {@link LupineServerOptions.flushEveryReplies}: the replies to a datagram of many
 * calls leave in batches of this size, so the client works on the first while the server runs the
 * rest (see `FLUSH_EVERY_CALLS` in lupine-client.ts).
 */
export const FLUSH_EVERY_REPLIES = 32;

const TOO_LARGE = new Uint8Array([0, 0, 0, ReplyStatus.GARBAGE_ARGS]);
const GARBAGE_ARGS: DispatchOutcome = Object.freeze({ status: "garbage_args" });
const EMPTY = new Uint8Array(0);

class LupineServer implements LupineServerTransport {
  readonly kind = "lupine" as const;
  private readonly endpoint: ServerEndpoint;
  private readonly port: DatagramPort;
  private readonly clock: Clock;
  private readonly defer: (fn: () => void) => void;
  private readonly log: (message: string, error: unknown) => void;
  private readonly identify: ((from: Endpoint) => PeerIdentity | undefined) | undefined;
  private readonly writer = new XdrWriter(512);
  /** Copies of small replies, kept until the client acknowledges them. */
  private readonly arena = new PayloadArena();
  private dispatcher: Dispatcher | null = null;
  private flushQueued = false;
  /** Replies completed since the last flush. */
  private repliesSinceFlush = 0;
  /** Inside `endpoint.receive`: the port handler flushes when it returns. */
  private receiving = false;
  private readonly flushEveryReplies: number;
  private timer: TimerHandle | null = null;
  private timerAtMs = Number.POSITIVE_INFINITY;
  private closing = false;
  private closed = false;
  private readonly flushNow = () => this.flush();
  private readonly send = (d: Uint8Array | readonly Uint8Array[], to: unknown) =>
    this.port.send(d, to as Endpoint);
  private readonly onTimer = () => {
    this.timer = null;
    this.timerAtMs = Number.POSITIVE_INFINITY;
    if (this.closed) return;
    this.endpoint.poll(this.clock.now());
    this.flush();
  };

  constructor(o: LupineServerOptions) {
    this.port = o.port;
    this.clock = o.clock;
    this.defer = o.defer ?? queueMicrotask;
    this.log = o.log ?? ((m, e) => console.error(m, e));
    this.identify = o.identify;
    this.flushEveryReplies = Math.max(1, o.flushEveryReplies ?? FLUSH_EVERY_REPLIES);
    const {
      port,
      clock,
      defer,
      log,
      maxDatagramBytes,
      identify,
      flushEveryReplies,
      datagramOverheadBytes,
      ...endpointOptions
    } = o;
    const overhead = datagramOverheadBytes ?? 0;
    this.endpoint = new ServerEndpoint({
      ...endpointOptions,
      random: o.random,
      crc: o.crc,
      // An explicit size holds for every client; by default each session gets what suits its
      // client's address (large datagrams to loopback).
      maxDatagramBytes: maxDatagramBytes ?? port.maxDatagramSize,
      ...(maxDatagramBytes === undefined
        ? {
            datagramBytesFor: (peer: unknown) =>
              Math.min(port.maxDatagramSize, defaultDatagramBytes(peer as Endpoint) - overhead),
          }
        : {}),
      tooLargeReply: TOO_LARGE,
      datagramsOwned: port.receivedDatagramsOwned === true,
      onCall: (call, bytes, start, end, view) => this.onCall(call, bytes, start, end, view),
      onStreamStart: (_call, head) => this.streams(head),
      onStreamData: (call) => (call.body as RequestStream | null)?.wake(),
      onAbandon: abortCall,
      onReplyReleased: (payload) => this.arena.release(payload),
    });
  }

  listen(dispatcher: Dispatcher): Promise<RemoteAddress> {
    this.dispatcher = dispatcher;
    this.port.onMessage((data, from) => {
      if (this.closed) return;
      this.receiving = true;
      try {
        this.endpoint.receive(this.clock.now(), data, from);
      } finally {
        this.receiving = false;
      }
      // What the datagram asked for leaves now: replies of calls answered synchronously, acks,
      // Working. Waiting for the rest of the turn's datagrams would add a turn to every call's
      // latency, and would merge the replies to several request datagrams into one batch that
      // the client then has to wait for whole. Calls answered later (async handlers) leave at
      // the deferred flush.
      this.flush();
    });
    this.port.onError(() => {
      // A client that went away: its session expires; nothing to do per error.
    });
    return Promise.resolve({ ...this.port.local });
  }

  stats(): ServerEndpointStats {
    return this.endpoint.stats();
  }

  async close(graceMs: number): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const until = this.clock.now() + Math.max(0, graceMs);
    while (this.endpoint.executing > 0 && this.clock.now() < until) {
      await new Promise<void>((r) =>
        this.clock.setTimeout(r, Math.min(10, until - this.clock.now())),
      );
    }
    this.endpoint.forEachExecuting(abortCall);
    this.flush();
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.port.close();
  }

  /** Whether the request starting with `head` goes to a procedure the dispatcher streams. */
  private streams(head: Uint8Array): boolean {
    const d = this.dispatcher;
    if (d === null || d.streams === undefined || this.closing) return false;
    try {
      const r = new XdrReader(head);
      const program = r.readUint();
      const version = r.readUint();
      const procedure = r.readUint();
      readAuth(r);
      readAuth(r);
      return d.streams(program, version, procedure);
    } catch {
      return false; // the call header is not all in the first bytes: the request comes whole
    }
  }

  private onCall(
    call: ServerCall,
    bytes: Uint8Array,
    start: number,
    end: number,
    view: DataView | undefined,
  ): void {
    const dispatcher = this.dispatcher;
    if (dispatcher === null || this.closing) {
      this.endpoint.refuse(call, 1000);
      return;
    }
    let incoming: LupineIncomingCall;
    try {
      incoming = new LupineIncomingCall(
        new XdrReader(bytes, start, end, view),
        call,
        this.identify,
      );
    } catch {
      this.finish(call, GARBAGE_ARGS);
      return;
    }
    if (call.streaming) {
      const args = incoming.args;
      const body = new RequestStream(
        this.endpoint,
        call,
        call.request!.messageBytes - (args.pos - start),
        this.defer,
      );
      call.body = body;
      incoming.body = body;
    }
    const header = incoming;
    let outcome: DispatchOutcome | Promise<DispatchOutcome>;
    try {
      outcome = dispatcher.dispatch(incoming);
    } catch (e) {
      this.log(`lupine: dispatch of procedure ${header.procedure} threw`, e);
      this.finish(call, { status: "system_err" });
      return;
    }
    if (outcome instanceof Promise) {
      outcome.then(
        (o) => this.finish(call, o),
        (e) => {
          this.log(`lupine: dispatch of procedure ${header.procedure} failed`, e);
          this.finish(call, { status: "system_err" });
        },
      );
    } else {
      this.finish(call, outcome);
    }
  }

  private finish(call: ServerCall, outcome: DispatchOutcome): void {
    call.token = null;
    call.body = null;
    if (this.closed) return;
    if (outcome.status === "busy") {
      this.endpoint.refuse(call, outcome.retryAfterMs);
      if (!this.receiving) this.kick();
      return;
    }
    const w = this.writer;
    w.reset();
    let chunks: Uint8Array[];
    try {
      writeReply(w, outcome);
      const small = w.written();
      chunks = small === null ? w.finishChunks() : [this.arena.copy(small)];
    } catch (e) {
      this.log("lupine: encoding a result failed", e);
      w.reset();
      writeReply(w, { status: "system_err" });
      chunks = w.finishChunks();
    }
    this.endpoint.complete(this.clock.now(), call, chunks.length === 0 ? [EMPTY] : chunks);
    if (++this.repliesSinceFlush >= this.flushEveryReplies) this.flush();
    else if (!this.receiving) this.kick();
  }

  private kick(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      this.defer(this.flushNow);
    }
  }

  private flush(): void {
    this.flushQueued = false;
    this.repliesSinceFlush = 0;
    if (this.closed) return;
    const now = this.clock.now();
    this.endpoint.flush(now, this.send);
    const next = this.endpoint.nextDeadlineMs();
    if (next < this.timerAtMs) {
      if (this.timer !== null) this.clock.clearTimeout(this.timer);
      this.timerAtMs = next;
      this.timer = this.clock.setTimeout(this.onTimer, Math.max(0, next - now));
    }
  }
}
