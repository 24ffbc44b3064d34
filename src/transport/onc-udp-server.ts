/**
 * ONC RPC over UDP, server side (RFC 5531 §9), with the duplicate-request cache of
 * `oncrpc/drc.ts` on by default: a retransmitted call is never run twice.
 *
 * A datagram that is not a call, or too short to be one, is dropped and counted; `rpcvers` ≠ 2
 * gets RPC_MISMATCH 2..2, an over-long credential AUTH_ERROR / AUTH_BADCRED; everything else goes
 * to the dispatcher. A reply bigger than the datagram limit is replaced by SYSTEM_ERR (logged),
 * and so is a reply more than `amplification.maxReplyRatio` (default 4) times the size of its
 * call to a source outside `amplification.exempt` (default loopback): the reply-amplification
 * limit of `reply-limit.ts`, counted in `stats.repliesOverLimit`.
 * Calls in flight are bounded: past `maxInFlight` new calls are dropped (the client
 * retransmits). `close(graceMs)` stops receiving, waits for calls in flight, then aborts them.
 */
import type { Clock, DatagramPort, Endpoint, TimerHandle } from "../io/index.js";
import {
  argsChecksum,
  type DrcKey,
  type DrcOptions,
  DuplicateRequestCache,
  drcKey,
} from "../oncrpc/drc.js";
import {
  AcceptStat,
  RejectStat,
  RPC_VERSION,
  readCall,
  writeAcceptedError,
  writeRejectedReply,
} from "../oncrpc/rpc-msg.js";
import { PayloadArena } from "../reliable/payload-arena.js";
import type { RemoteAddress } from "../runtime/context.js";
import { AuthStat } from "../runtime/errors.js";
import { consoleLogger, type Logger } from "../runtime/logger.js";
import type {
  Dispatcher,
  DispatchOutcome,
  IncomingCall,
  ServerTransport,
} from "../runtime/transport.js";
import { XdrReader, XdrWriter } from "../xdr/index.js";
import { writeOutcome } from "./onc-reply.js";
import { ReplyLimit, type ReplyLimitOptions } from "./reply-limit.js";

/** Options of {@link OncUdpServer}. */
export interface OncUdpServerOptions {
  /** A bound datagram port. */
  readonly port: DatagramPort;
  readonly clock: Clock;
  /** Duplicate-request cache limits, or `false` to turn it off. */
  readonly drc?: Partial<DrcOptions> | false;
  /** Calls running at once before new ones are dropped; default 4096. */
  readonly maxInFlight?: number;
  /** Largest reply sent (bytes); default the port's `maxDatagramSize`. */
  readonly maxDatagramSize?: number;
  /**
   * The reply-amplification limit (`reply-limit.ts`): default 4× the call's size except to
   * loopback; `false` turns it off (only for networks where no source can be spoofed).
   */
  readonly amplification?: ReplyLimitOptions | false;
  readonly logger?: Logger;
}

/** Counters of a UDP server. */
export interface OncUdpServerStats {
  received: number;
  calls: number;
  /** Not a call, or truncated. */
  droppedMalformed: number;
  /** Copies of calls still running (duplicate-request cache). */
  droppedInProgress: number;
  /** Copies answered from the duplicate-request cache. */
  replayed: number;
  /** Dropped because `maxInFlight` calls were running. */
  droppedBusy: number;
  rejected: number;
  repliesTooBig: number;
  /** Replies not sent (SYSTEM_ERR instead) because of the amplification limit. */
  repliesOverLimit: number;
}

/** See the module comment. */
export class OncUdpServer implements ServerTransport {
  readonly kind = "udp";
  readonly stats: OncUdpServerStats = {
    received: 0,
    calls: 0,
    droppedMalformed: 0,
    droppedInProgress: 0,
    replayed: 0,
    droppedBusy: 0,
    rejected: 0,
    repliesTooBig: 0,
    repliesOverLimit: 0,
  };
  /** The duplicate-request cache, when on. */
  readonly drc: DuplicateRequestCache | undefined;
  private readonly port: DatagramPort;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxInFlight: number;
  private readonly maxDatagramSize: number;
  private readonly limit: ReplyLimit | undefined;
  private readonly writer = new XdrWriter(2048);
  /** Copies of replies for the duplicate-request cache. */
  private readonly arena = new PayloadArena();
  private readonly abort = new AbortController();
  private dispatcher: Dispatcher | undefined;
  private inFlight = 0;
  private idle: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: OncUdpServerOptions) {
    this.port = options.port;
    this.clock = options.clock;
    this.logger = options.logger ?? consoleLogger;
    this.maxInFlight = options.maxInFlight ?? 4096;
    this.maxDatagramSize = options.maxDatagramSize ?? options.port.maxDatagramSize;
    this.drc = options.drc === false ? undefined : new DuplicateRequestCache(options.drc ?? {});
    this.limit =
      options.amplification === false ? undefined : new ReplyLimit(options.amplification ?? {});
  }

  /** Calls running now. */
  get running(): number {
    return this.inFlight;
  }

  listen(dispatcher: Dispatcher): Promise<RemoteAddress> {
    this.dispatcher = dispatcher;
    this.port.onMessage((data, from) => this.receive(data, from));
    return Promise.resolve(this.port.local);
  }

  private receive(data: Uint8Array, from: Endpoint): void {
    this.stats.received++;
    if (this.closing !== undefined || this.dispatcher === undefined) return;
    const r = new XdrReader(data);
    const msg = readCall(r);
    switch (msg.kind) {
      case "drop":
        this.stats.droppedMalformed++;
        return;
      case "rpc-mismatch":
        this.stats.rejected++;
        this.sendRejected(msg.xid, from, {
          stat: RejectStat.RPC_MISMATCH,
          low: RPC_VERSION,
          high: RPC_VERSION,
        });
        return;
      case "bad-credential":
        this.stats.rejected++;
        this.sendRejected(msg.xid, from, {
          stat: RejectStat.AUTH_ERROR,
          authStat: AuthStat.AUTH_BADCRED,
        });
        return;
      case "call":
        break;
    }
    const h = msg.header;
    let key: DrcKey | undefined;
    if (this.drc !== undefined) {
      key = drcKey({
        address: from.address,
        port: from.port,
        xid: h.xid,
        program: h.program,
        version: h.version,
        procedure: h.procedure,
        checksum: argsChecksum(data, r.pos),
      });
      const found = this.drc.begin(key, this.clock.now());
      if (found.state === "in-progress") {
        this.stats.droppedInProgress++;
        return;
      }
      if (found.state === "done") {
        this.stats.replayed++;
        // The copy may carry a shorter credential than the call the reply was made for.
        if (this.overLimit(data.length, found.reply.length, from)) {
          this.sendSystemErr(h.xid, from);
          return;
        }
        this.port.send(found.reply, from);
        return;
      }
    }
    if (this.inFlight >= this.maxInFlight) {
      this.stats.droppedBusy++;
      if (key !== undefined) this.drc!.abandon(key);
      return;
    }
    this.stats.calls++;
    const call: IncomingCall = {
      program: h.program,
      version: h.version,
      procedure: h.procedure,
      credential: h.credential,
      verifier: h.verifier,
      args: r,
      remote: from,
      transport: "udp",
      signal: this.abort.signal,
    };
    let outcome: DispatchOutcome | Promise<DispatchOutcome>;
    try {
      outcome = this.dispatcher.dispatch(call);
    } catch (e) {
      this.logger.error("dispatcher threw; replying SYSTEM_ERR", e);
      outcome = { status: "system_err" };
    }
    const size = data.length;
    if (outcome instanceof Promise) {
      this.inFlight++;
      outcome.then(
        (o) => this.settle(h.xid, from, key, size, o),
        (e) => {
          this.logger.error("dispatcher failed; replying SYSTEM_ERR", e);
          this.settle(h.xid, from, key, size, { status: "system_err" });
        },
      );
      return;
    }
    this.reply(h.xid, from, key, size, outcome);
  }

  private settle(
    xid: number,
    to: Endpoint,
    key: DrcKey | undefined,
    requestBytes: number,
    outcome: DispatchOutcome,
  ): void {
    this.inFlight--;
    this.reply(xid, to, key, requestBytes, outcome);
    if (this.inFlight === 0) this.idle?.();
  }

  private reply(
    xid: number,
    to: Endpoint,
    key: DrcKey | undefined,
    requestBytes: number,
    outcome: DispatchOutcome,
  ): void {
    const w = this.writer;
    w.reset();
    writeOutcome(w, 0, xid, outcome, this.logger);
    if (w.length > this.maxDatagramSize) {
      this.stats.repliesTooBig++;
      this.logger.warn(
        `reply of ${w.length} bytes to xid ${xid} exceeds the UDP limit; replying SYSTEM_ERR`,
      );
      w.reset();
      writeAcceptedError(w, xid, AcceptStat.SYSTEM_ERR);
    } else if (this.overLimit(requestBytes, w.length, to)) {
      w.reset();
      writeAcceptedError(w, xid, AcceptStat.SYSTEM_ERR);
    }
    // The port and the cache keep the reply: copy it out of the reused writer (small ones into
    // a shared slab).
    const small = w.written();
    const bytes = small === null ? w.finish() : this.arena.copy(small);
    if (key !== undefined) this.drc!.complete(key, bytes);
    this.port.send(bytes, to);
  }

  /** True (and counted, and logged now and then) when the limit forbids this reply. */
  private overLimit(requestBytes: number, replyBytes: number, to: Endpoint): boolean {
    const limit = this.limit;
    if (limit === undefined || limit.allows(requestBytes, replyBytes, to.address)) return false;
    this.stats.repliesOverLimit++;
    limit.warn(this.logger, this.clock, { requestBytes, replyBytes, from: to.address });
    return true;
  }

  private sendSystemErr(xid: number, to: Endpoint): void {
    const w = this.writer;
    w.reset();
    writeAcceptedError(w, xid, AcceptStat.SYSTEM_ERR);
    this.port.send(w.finish(), to);
  }

  // Rejected replies (20 or 24 bytes) are never bigger than the 24 bytes a call needs to get one.
  private sendRejected(
    xid: number,
    to: Endpoint,
    reject: Parameters<typeof writeRejectedReply>[2],
  ): void {
    const w = this.writer;
    w.reset();
    writeRejectedReply(w, xid, reject);
    this.port.send(w.finish(), to);
  }

  close(graceMs: number): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      let timer: TimerHandle | undefined;
      const done = () => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        this.idle = undefined;
        this.abort.abort(new Error("server closing"));
        this.port.close();
        this.drc?.clear();
        resolve();
      };
      if (this.inFlight === 0) {
        done();
        return;
      }
      this.idle = done;
      timer = this.clock.setTimeout(done, graceMs);
    });
    return this.closing;
  }
}
