/**
 * ONC RPC over UDP, client side (RFC 5531 §9; retransmission per `oncrpc/retransmit.ts`).
 *
 * One datagram port, many calls in flight, replies matched by xid. Each call gets a new xid and
 * keeps it for every retransmission, so a server's duplicate-request cache recognises the copies.
 * Datagrams from any address but the server's, with an xid not in flight, or not a well-formed
 * reply are dropped and counted. Calls bigger than the datagram limit fail before sending.
 *
 * Timing comes from the injected `Clock`, so a simulated network can drive it.
 */
import type { Clock, DatagramPort, Endpoint, Random } from "../io/index.js";
import { AUTH_NONE } from "../oncrpc/auth.js";
import {
  CallSchedule,
  DEFAULT_RETRANSMIT_POLICY,
  type RetransmitPolicy,
  RttEstimator,
} from "../oncrpc/retransmit.js";
import { writeCallHeader } from "../oncrpc/rpc-msg.js";
import { U32Map } from "../oncrpc/u32-map.js";
import { createXidSource, type XidSource } from "../oncrpc/xid.js";
import { PayloadArena } from "../reliable/payload-arena.js";
import { RpcError } from "../runtime/errors.js";
import type { CallRequest, ClientTransport } from "../runtime/transport.js";
import { XdrWriter } from "../xdr/index.js";
import { normalizeAddress, readReply } from "./onc-reply.js";
import { Wakeups } from "./wakeups.js";

/** Options of {@link OncUdpClient}. */
export interface OncUdpClientOptions {
  /** The datagram port to send from (a bound `UdpSocket`, or a simulated one). */
  readonly port: DatagramPort;
  /** The server. */
  readonly server: Endpoint;
  readonly clock: Clock;
  readonly random: Random;
  /** Retransmission pacing; defaults in `DEFAULT_RETRANSMIT_POLICY`. */
  readonly retransmit?: Partial<RetransmitPolicy>;
  /** Largest call sent (bytes); default the port's `maxDatagramSize`. */
  readonly maxDatagramSize?: number;
  /** Whether `close()` closes the port (default true). */
  readonly ownsPort?: boolean;
}

/** Counters of a UDP client. */
export interface OncUdpClientStats {
  calls: number;
  /** Datagrams sent, first transmissions and retransmissions. */
  transmissions: number;
  retransmissions: number;
  replies: number;
  timeouts: number;
  droppedWrongPeer: number;
  droppedUnknownXid: number;
  droppedMalformed: number;
  /** Send errors and ICMP errors (e.g. port unreachable) reported by the port. */
  sendErrors: number;
}

/**
 * One call in flight: its retransmission schedule and the adapter's state in one object (a call
 * allocates as little as possible).
 */
class Pending extends CallSchedule {
  readonly xid: number;
  readonly bytes: Uint8Array;
  readonly request: CallRequest<unknown>;
  resolve: (v: unknown) => void = noop;
  reject: (e: unknown) => void = noop;
  onAbort: (() => void) | undefined = undefined;
  /** Position in the wakeups heap (maintained by it). */
  heapIndex = -1;

  constructor(
    schedule: { now: number; timeoutMs: number; intervalMs: number; maxIntervalMs: number },
    call: { xid: number; bytes: Uint8Array; request: CallRequest<unknown> },
  ) {
    super(schedule);
    this.xid = call.xid;
    this.bytes = call.bytes;
    this.request = call.request;
  }
}

const noop = () => {};
// One shared promise executor (no closure per call); see lupine-client.ts.
let nextResolve: (v: unknown) => void = noop;
let nextReject: (e: unknown) => void = noop;
const capture = (resolve: (v: unknown) => void, reject: (e: unknown) => void) => {
  nextResolve = resolve;
  nextReject = reject;
};

/** See the module comment. */
export class OncUdpClient implements ClientTransport {
  readonly kind = "udp";
  readonly stats: OncUdpClientStats = {
    calls: 0,
    transmissions: 0,
    retransmissions: 0,
    replies: 0,
    timeouts: 0,
    droppedWrongPeer: 0,
    droppedUnknownXid: 0,
    droppedMalformed: 0,
    sendErrors: 0,
  };
  /** The RTT estimate behind the first retransmission interval. */
  readonly rtt = new RttEstimator();
  private readonly port: DatagramPort;
  private readonly server: Endpoint;
  private readonly serverAddress: string;
  private readonly clock: Clock;
  private readonly policy: RetransmitPolicy;
  private readonly maxDatagramSize: number;
  private readonly ownsPort: boolean;
  private readonly pending = new U32Map<Pending>();
  private readonly xids: XidSource;
  private readonly writer = new XdrWriter(1024);
  /** Copies of requests, kept for retransmission until their replies come. */
  private readonly arena = new PayloadArena();
  private readonly inUse = (xid: number) => this.pending.has(xid);
  /** Retransmission and deadline times of every call, on one timer. */
  private readonly wakeups: Wakeups<Pending>;
  private closed = false;
  private lastError: Error | undefined;

  constructor(options: OncUdpClientOptions) {
    this.port = options.port;
    this.server = options.server;
    this.serverAddress = normalizeAddress(options.server.address);
    this.clock = options.clock;
    this.policy = { ...DEFAULT_RETRANSMIT_POLICY, ...options.retransmit };
    this.maxDatagramSize = options.maxDatagramSize ?? options.port.maxDatagramSize;
    this.ownsPort = options.ownsPort ?? true;
    this.xids = createXidSource(options.random);
    this.wakeups = new Wakeups<Pending>(this.clock, (p, now) => this.wake(p, now));
    this.port.onMessage((data, from) => this.receive(data, from));
    // ICMP errors (port unreachable) cannot be matched to one datagram, so they never fail a
    // call by themselves (an earlier copy may have run): they are counted and named in the
    // timeout message.
    this.port.onError((failure) => {
      this.stats.sendErrors++;
      this.lastError = failure.error;
    });
    this.port.setKeepAlive?.(false);
  }

  /** Calls in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  call<R>(request: CallRequest<R>): Promise<R> {
    if (this.closed)
      return Promise.reject(new RpcError("closed", `${request.procedureName}: client is closed`));
    if (request.signal?.aborted) {
      return Promise.reject(
        new RpcError("canceled", `${request.procedureName}: canceled before sending`),
      );
    }
    const xid = this.xids.next(this.inUse);
    const w = this.writer;
    w.reset();
    try {
      writeCallHeader(w, {
        xid,
        program: request.program,
        version: request.version,
        procedure: request.procedure,
        credential: request.credential ?? AUTH_NONE,
        verifier: request.verifier ?? AUTH_NONE,
      });
      request.writeArgs(w);
    } catch (e) {
      return Promise.reject(
        new RpcError("invalid_argument", `${request.procedureName}: ${(e as Error).message}`, {
          cause: e,
        }),
      );
    }
    if (w.length > this.maxDatagramSize) {
      return Promise.reject(
        new RpcError(
          "invalid_argument",
          `${request.procedureName}: call of ${w.length} bytes exceeds the UDP limit of ${this.maxDatagramSize}`,
        ),
      );
    }
    const small = w.written();
    const bytes = small === null ? w.finish() : this.arena.copy(small);
    const p = new Pending(
      {
        now: this.clock.now(),
        timeoutMs: request.timeoutMs,
        intervalMs: this.rtt.intervalMs(this.policy),
        maxIntervalMs: this.policy.maxIntervalMs,
      },
      { xid, bytes, request: request as CallRequest<unknown> },
    );
    const promise = new Promise<unknown>(capture) as Promise<R>;
    p.resolve = nextResolve;
    p.reject = nextReject;
    this.pending.set(xid, p);
    if (this.pending.size === 1) this.port.setKeepAlive?.(true);
    const signal = request.signal;
    if (signal !== undefined) {
      p.onAbort = () =>
        this.finish(p, new RpcError("canceled", `${request.procedureName}: canceled`), undefined);
      signal.addEventListener("abort", p.onAbort, { once: true });
    }
    this.stats.calls++;
    this.stats.transmissions++;
    this.port.send(bytes, this.server);
    this.wakeups.add(p);
    return promise;
  }

  private wake(p: Pending, now: number): void {
    if (this.pending.get(p.xid) !== p) return;
    const action = p.onWake(now);
    if (action === "timeout") {
      this.stats.timeouts++;
      const s = p;
      const elapsedMs = Math.round(now - s.startedAt);
      const message =
        `${p.request.procedureName}: no reply from udp://${this.server.address}:${this.server.port} ` +
        `after ${elapsedMs} ms and ${s.transmissions} transmission${s.transmissions === 1 ? "" : "s"}` +
        (this.lastError === undefined
          ? ""
          : ` (last network error: ${(this.lastError as { code?: string }).code ?? this.lastError.message})`);
      this.finish(
        p,
        new RpcError("timeout", message, {
          details: { elapsedMs, transmissions: s.transmissions },
        }),
        undefined,
      );
      return;
    }
    if (action === "retransmit") {
      this.stats.transmissions++;
      this.stats.retransmissions++;
      this.port.send(p.bytes, this.server);
    }
  }

  private finish(p: Pending, error: RpcError | undefined, value: unknown): void {
    this.pending.delete(p.xid);
    if (this.pending.size === 0 && !this.closed) this.port.setKeepAlive?.(false);
    this.wakeups.delete(p);
    if (p.onAbort !== undefined) p.request.signal?.removeEventListener("abort", p.onAbort);
    if (error !== undefined) p.reject(error);
    else p.resolve(value);
  }

  private receive(data: Uint8Array, from: Endpoint): void {
    if (from.port !== this.server.port || normalizeAddress(from.address) !== this.serverAddress) {
      this.stats.droppedWrongPeer++;
      return;
    }
    if (data.length < 12) {
      this.stats.droppedMalformed++;
      return;
    }
    const xid = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
    const p = this.pending.get(xid);
    if (p === undefined) {
      this.stats.droppedUnknownXid++;
      return;
    }
    if (p.transmissions === 1) this.rtt.sample(this.clock.now() - p.startedAt);
    this.stats.replies++;
    let value: unknown;
    try {
      value = readReply(data, p.request.readResult, p.request.procedureName);
    } catch (e) {
      this.finish(p, RpcError.from(e, "malformed"), undefined);
      return;
    }
    this.finish(p, undefined, value);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const p of this.pending.valuesArray()) {
      this.finish(
        p,
        new RpcError("closed", `${p.request.procedureName}: client closed`),
        undefined,
      );
    }
    if (this.ownsPort) this.port.close();
    return Promise.resolve();
  }
}
