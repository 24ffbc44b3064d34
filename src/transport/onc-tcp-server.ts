/**
 * ONC RPC over TCP, server side (RFC 5531 §11 record marking).
 *
 * Many connections, many calls pipelined on each; replies go out as calls finish (the client
 * matches them by xid) and leave batched. Back-pressure: a connection whose peer does not read
 * its replies (more than the stream's high-water mark buffered), or that has
 * `maxInFlightPerConnection` calls running, is not read from until that clears — so one greedy
 * or stuck peer cannot make the server buffer without bound. A record larger than
 * `maxRecordSize` closes its connection with a logged reason, before the record is buffered.
 *
 * RPC-with-TLS (RFC 9289), when `startTls` is given: an AUTH_TLS probe (`oncrpc/tls-probe.ts`)
 * on a connection in clear is answered `STARTTLS` and the connection continues in TLS; its calls
 * then reach the dispatcher with `secure` and the client's certificate identity. Calls in clear
 * are refused with AUTH_ERROR / AUTH_TOOWEAK unless `startTls.allowPlain`. A probe followed by
 * more bytes before the reply (a client that did not wait) closes the connection.
 */
import type { ByteStream, Clock, StreamListener, TimerHandle } from "../io/index.js";
import { AuthFlavor } from "../oncrpc/auth.js";
import { frameRecord, RecordDecoder, writeFragmentHeader } from "../oncrpc/record-marking.js";
import {
  type CallHeader,
  RejectStat,
  RPC_VERSION,
  readCall,
  writeRejectedReply,
} from "../oncrpc/rpc-msg.js";
import { judgeTlsProbe, writeStartTlsReply } from "../oncrpc/tls-probe.js";
import type { PeerIdentity, RemoteAddress } from "../runtime/context.js";
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
import { WarnLimit } from "./warn-limit.js";

/** Options of {@link OncTcpServer}. */
export interface OncTcpServerOptions {
  /** Starts listening; calls `onConnection` for each accepted connection. */
  readonly listen: (onConnection: (stream: ByteStream) => void) => Promise<StreamListener>;
  readonly clock: Clock;
  /** Largest call record accepted (bytes); default 64 MiB. */
  readonly maxRecordSize?: number;
  /** Largest fragment written (bytes); default 1 MiB. */
  readonly maxFragmentSize?: number;
  /** Calls running at once on one connection before it is no longer read; default 128. */
  readonly maxInFlightPerConnection?: number;
  /** RPC-with-TLS (see the module comment); absent: AUTH_TLS probes go to the dispatcher. */
  readonly startTls?: ServerStartTls;
  readonly logger?: Logger;
}

/** What the server needs to offer RPC-with-TLS (RFC 9289). */
export interface ServerStartTls {
  /**
   * Writes `reply` (the STARTTLS answer, a framed record) in clear, then runs the TLS handshake
   * as server on `stream`'s connection; resolves with the encrypted stream and the client's
   * identity (a verified certificate), rejects when the handshake or the client fails.
   */
  upgrade(
    stream: ByteStream,
    reply: Uint8Array,
  ): Promise<{ stream: ByteStream; peer: PeerIdentity | undefined }>;
  /** Serve calls in clear too (opportunistic); default false: AUTH_ERROR / AUTH_TOOWEAK. */
  readonly allowPlain?: boolean;
}

/** Counters of a TCP server. */
export interface OncTcpServerStats {
  connections: number;
  open: number;
  calls: number;
  droppedMalformed: number;
  rejected: number;
  oversizedRecords: number;
  /** Times a connection was paused for back-pressure. */
  pauses: number;
  /** RPC-with-TLS: handshakes completed, and probes or handshakes that failed. */
  tlsSessions: number;
  tlsFailures: number;
  /** Calls refused because they came in clear to a server requiring TLS. */
  plainRefused: number;
}

class Connection {
  inFlight = 0;
  paused = false;
  /** The last write found the peer not reading; cleared when the stream drains. */
  writeBlocked = false;
  closed = false;
  /** TLS runs on it (RFC 9289); `peer`: the client's verified certificate, if any. */
  secure = false;
  peer: PeerIdentity | undefined;
  /** The xid of an accepted AUTH_TLS probe, from the probe until the handshake ends. */
  upgradingXid: number | undefined;
  /** A record arrived after the probe, before the answer: the client did not wait. */
  pipelinedAfterProbe = false;
  readonly abort = new AbortController();
  constructor(
    public stream: ByteStream,
    readonly remote: RemoteAddress,
  ) {}
}

/** See the module comment. */
export class OncTcpServer implements ServerTransport {
  readonly kind = "tcp";
  readonly stats: OncTcpServerStats = {
    connections: 0,
    open: 0,
    calls: 0,
    droppedMalformed: 0,
    rejected: 0,
    oversizedRecords: 0,
    pauses: 0,
    tlsSessions: 0,
    tlsFailures: 0,
    plainRefused: 0,
  };
  private readonly options: OncTcpServerOptions;
  private readonly logger: Logger;
  private readonly maxRecordSize: number;
  private readonly maxFragmentSize: number;
  private readonly maxInFlight: number;
  private readonly writer = new XdrWriter(2048);
  private readonly connections = new Set<Connection>();
  private readonly tlsWarnings: WarnLimit;
  private listener: StreamListener | undefined;
  private dispatcher: Dispatcher | undefined;
  private inFlight = 0;
  private idle: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: OncTcpServerOptions) {
    this.options = options;
    this.logger = options.logger ?? consoleLogger;
    this.maxRecordSize = options.maxRecordSize ?? 64 * 1024 * 1024;
    this.maxFragmentSize = options.maxFragmentSize ?? 1024 * 1024;
    this.maxInFlight = options.maxInFlightPerConnection ?? 128;
    this.tlsWarnings = new WarnLimit(options.clock);
  }

  /** Calls running now, on all connections. */
  get running(): number {
    return this.inFlight;
  }

  async listen(dispatcher: Dispatcher): Promise<RemoteAddress> {
    this.dispatcher = dispatcher;
    this.listener = await this.options.listen((stream) => this.accept(stream));
    return this.listener.local;
  }

  private accept(stream: ByteStream): void {
    if (this.closing !== undefined) {
      stream.destroy();
      return;
    }
    const c = new Connection(stream, stream.remote);
    this.connections.add(c);
    this.stats.connections++;
    this.stats.open++;
    this.wire(c, stream);
  }

  /** Reads records from `stream` (the connection's first, or its TLS stream after STARTTLS). */
  private wire(c: Connection, stream: ByteStream): void {
    c.stream = stream;
    const decoder = new RecordDecoder({ maxRecordSize: this.maxRecordSize });
    const onRecord = (record: Uint8Array) => this.receive(c, record);
    stream.onData((chunk) => {
      if (c.closed || c.upgradingXid !== undefined) return;
      const err = decoder.push(chunk, onRecord);
      if (c.upgradingXid !== undefined) {
        this.upgrade(c, stream, err === null && decoder.idle);
        return;
      }
      if (err !== null) {
        this.stats.oversizedRecords++;
        this.logger.warn(
          `closing connection from ${c.remote.address}:${c.remote.port}: record of ${err.size} bytes exceeds the limit of ${err.maxRecordSize}`,
        );
        c.closed = true;
        stream.destroy();
      }
    });
    stream.onDrain(() => {
      c.writeBlocked = false;
      this.maybeResume(c);
    });
    stream.onClose(() => this.gone(c));
  }

  /** Forgets a connection that ended (once). */
  private gone(c: Connection): void {
    if (!this.connections.delete(c)) return;
    c.closed = true;
    this.stats.open--;
    c.abort.abort(new Error("connection closed"));
  }

  private receive(c: Connection, record: Uint8Array): void {
    if (this.closing !== undefined) return;
    if (c.upgradingXid !== undefined) {
      c.pipelinedAfterProbe = true;
      return;
    }
    const r = new XdrReader(record);
    const msg = readCall(r);
    switch (msg.kind) {
      case "drop":
        this.stats.droppedMalformed++;
        return;
      case "rpc-mismatch":
        this.stats.rejected++;
        this.sendRejected(c, msg.xid, {
          stat: RejectStat.RPC_MISMATCH,
          low: RPC_VERSION,
          high: RPC_VERSION,
        });
        return;
      case "bad-credential":
        this.stats.rejected++;
        this.sendRejected(c, msg.xid, {
          stat: RejectStat.AUTH_ERROR,
          authStat: AuthStat.AUTH_BADCRED,
        });
        return;
      case "call":
        break;
    }
    const h = msg.header;
    if (this.options.startTls !== undefined && this.startTlsGate(c, h)) return;
    this.stats.calls++;
    const call: IncomingCall = {
      program: h.program,
      version: h.version,
      procedure: h.procedure,
      credential: h.credential,
      verifier: h.verifier,
      args: r,
      remote: c.remote,
      transport: "tcp",
      secure: c.secure,
      peer: c.peer,
      signal: c.abort.signal,
    };
    let outcome: DispatchOutcome | Promise<DispatchOutcome>;
    try {
      outcome = this.dispatcher!.dispatch(call);
    } catch (e) {
      this.logger.error("dispatcher threw; replying SYSTEM_ERR", e);
      outcome = { status: "system_err" };
    }
    if (outcome instanceof Promise) {
      c.inFlight++;
      this.inFlight++;
      if (c.inFlight >= this.maxInFlight) this.pause(c);
      outcome.then(
        (o) => this.settle(c, h.xid, o),
        (e) => {
          this.logger.error("dispatcher failed; replying SYSTEM_ERR", e);
          this.settle(c, h.xid, { status: "system_err" });
        },
      );
      return;
    }
    this.reply(c, h.xid, outcome);
  }

  /**
   * RPC-with-TLS before dispatch: answers an AUTH_TLS probe (accepting it, or refusing it as
   * `judgeTlsProbe` says) and refuses calls in clear unless allowed. True when the call is dealt
   * with here.
   */
  private startTlsGate(c: Connection, h: CallHeader): boolean {
    if (h.credential.flavor === AuthFlavor.AUTH_TLS) {
      const j = judgeTlsProbe(h, { secure: c.secure, busy: c.inFlight > 0 });
      if (j.kind === "start-tls") {
        c.upgradingXid = h.xid;
        return true;
      }
      this.stats.rejected++;
      this.sendRejected(c, h.xid, { stat: RejectStat.AUTH_ERROR, authStat: j.authStat });
      return true;
    }
    if (c.secure || this.options.startTls?.allowPlain === true) return false;
    this.stats.plainRefused++;
    this.sendRejected(c, h.xid, { stat: RejectStat.AUTH_ERROR, authStat: AuthStat.AUTH_TOOWEAK });
    return true;
  }

  /** After an accepted probe: answers STARTTLS and hands the connection to TLS. */
  private upgrade(c: Connection, plain: ByteStream, clean: boolean): void {
    const xid = c.upgradingXid!;
    const who = `${c.remote.address}:${c.remote.port}`;
    if (!clean || c.pipelinedAfterProbe) {
      this.stats.tlsFailures++;
      this.tlsWarnings.warn(
        this.logger,
        (n) => `RPC-with-TLS: ${n} failure(s); latest: ${who} sent bytes after its AUTH_TLS probe`,
      );
      plain.destroy();
      return;
    }
    const w = new XdrWriter(64);
    w.writeUint(0);
    writeStartTlsReply(w, xid);
    const reply = w.finish().slice();
    writeFragmentHeader(reply, 0, reply.length - 4, true);
    this.options.startTls!.upgrade(plain, reply).then(
      ({ stream, peer }) => {
        if (c.closed || this.closing !== undefined) {
          stream.destroy();
          this.gone(c);
          return;
        }
        this.stats.tlsSessions++;
        c.secure = true;
        c.peer = peer;
        c.upgradingXid = undefined;
        c.paused = false;
        c.writeBlocked = false;
        this.wire(c, stream);
      },
      (e: unknown) => {
        this.stats.tlsFailures++;
        this.tlsWarnings.warn(
          this.logger,
          (n) => `RPC-with-TLS: ${n} failure(s); latest: ${who}: ${(e as Error).message}`,
        );
        plain.destroy();
        this.gone(c);
      },
    );
  }

  private settle(c: Connection, xid: number, outcome: DispatchOutcome): void {
    c.inFlight--;
    this.inFlight--;
    this.reply(c, xid, outcome);
    this.maybeResume(c);
    if (this.inFlight === 0) this.idle?.();
  }

  private reply(c: Connection, xid: number, outcome: DispatchOutcome): void {
    if (c.closed) return;
    const w = this.writer;
    w.reset();
    w.writeUint(0);
    writeOutcome(w, 4, xid, outcome, this.logger);
    this.write(c, w);
  }

  private sendRejected(
    c: Connection,
    xid: number,
    reject: Parameters<typeof writeRejectedReply>[2],
  ): void {
    const w = this.writer;
    w.reset();
    w.writeUint(0);
    writeRejectedReply(w, xid, reject);
    this.write(c, w);
  }

  /** Frames what `w` holds after its 4-byte placeholder and writes it to `c`. */
  private write(c: Connection, w: XdrWriter): void {
    const length = w.length - 4;
    let ok: boolean;
    // The record mark goes into the finished copy: a writer holding a large opaque by reference
    // cannot patch its first segment.
    const bytes = w.finish();
    if (length <= this.maxFragmentSize) {
      writeFragmentHeader(bytes, 0, length, true);
      ok = c.stream.write(bytes);
    } else {
      ok = c.stream.write(frameRecord(bytes.subarray(4), this.maxFragmentSize));
    }
    if (!ok) {
      c.writeBlocked = true;
      this.pause(c);
    }
  }

  private pause(c: Connection): void {
    if (c.paused || c.closed) return;
    c.paused = true;
    this.stats.pauses++;
    c.stream.pause();
  }

  private maybeResume(c: Connection): void {
    if (!c.paused || c.closed || this.closing !== undefined) return;
    if (c.inFlight >= this.maxInFlight || c.writeBlocked) return;
    c.paused = false;
    c.stream.resume();
  }

  close(graceMs: number): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      void this.listener?.close();
      for (const c of this.connections) c.stream.pause();
      let timer: TimerHandle | undefined;
      const done = () => {
        if (timer !== undefined) this.options.clock.clearTimeout(timer);
        this.idle = undefined;
        for (const c of this.connections) {
          c.abort.abort(new Error("server closing"));
          c.stream.close();
        }
        resolve();
      };
      if (this.inFlight === 0) {
        done();
        return;
      }
      this.idle = done;
      timer = this.options.clock.setTimeout(done, graceMs);
    });
    return this.closing;
  }
}
