/**
 * ONC RPC over TCP, client side (RFC 5531 §11 record marking).
 *
 * Many calls are pipelined on one connection and matched by xid; writes of one event-loop turn
 * leave together (the stream batches them). The connection is opened on the first call and
 * again after it breaks (reconnect): calls not yet written wait for the new connection; calls
 * already written when it broke fail with `outcome_unknown` — they may have run, and ONC RPC
 * over TCP never retransmits, so neither does Lupine. A refused connection fails the waiting
 * calls with `unreachable`. Replies larger than `maxRecordSize` close the connection.
 */
import type { ByteStream, Clock, Random } from "../io/index.js";
import { AUTH_NONE } from "../oncrpc/auth.js";
import {
  frameRecord,
  LAST_FRAGMENT,
  RecordDecoder,
  writeFragmentHeader,
} from "../oncrpc/record-marking.js";
import { writeCallHeader } from "../oncrpc/rpc-msg.js";
import { U32Map } from "../oncrpc/u32-map.js";
import { createXidSource, type XidSource } from "../oncrpc/xid.js";
import { RpcError } from "../runtime/errors.js";
import type { CallRequest, ClientTransport } from "../runtime/transport.js";
import { XdrWriter } from "../xdr/index.js";
import { readReply, rollback } from "./onc-reply.js";
import { Wakeups } from "./wakeups.js";

/** Records at least this big are written on their own, not batched. */
const BATCH_RECORD_MAX = 60_000;
/** A batch this big is written at once. */
const BATCH_FLUSH_BYTES = 256 * 1024;

/** Options of {@link OncTcpClient}. */
export interface OncTcpClientOptions {
  /** Opens a connection to the server; must reject with an `RpcError` (e.g. `unreachable`). */
  readonly connect: () => Promise<ByteStream>;
  /** `tcp://host:port`, for messages. */
  readonly name: string;
  readonly clock: Clock;
  readonly random: Random;
  /** Largest record sent or accepted (bytes); default 64 MiB. */
  readonly maxRecordSize?: number;
  /** Largest fragment written (bytes); default 1 MiB. */
  readonly maxFragmentSize?: number;
}

/** Counters of a TCP client. */
export interface OncTcpClientStats {
  calls: number;
  replies: number;
  timeouts: number;
  connects: number;
  connectFailures: number;
  droppedUnknownXid: number;
}

interface Pending {
  readonly xid: number;
  readonly request: CallRequest<unknown>;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  readonly startedAt: number;
  /** Record segments, until written. */
  frames: Uint8Array[] | undefined;
  /** The connection it was written on. */
  stream: ByteStream | undefined;
  /** The call's deadline. */
  readonly wakeAt: number;
  onAbort: (() => void) | undefined;
  /** Position in the deadline heap (maintained by it). */
  heapIndex: number;
}

/** See the module comment. */
export class OncTcpClient implements ClientTransport {
  readonly kind = "tcp";
  readonly stats: OncTcpClientStats = {
    calls: 0,
    replies: 0,
    timeouts: 0,
    connects: 0,
    connectFailures: 0,
    droppedUnknownXid: 0,
  };
  private readonly options: OncTcpClientOptions;
  private readonly clock: Clock;
  private readonly maxRecordSize: number;
  private readonly maxFragmentSize: number;
  private readonly pending = new U32Map<Pending>();
  /** Calls waiting for a connection, in order. */
  private queue: Pending[] = [];
  private readonly xids: XidSource;
  private readonly writer = new XdrWriter(1024);
  /** Records of this turn, written together (see `append`). */
  private readonly batch = new XdrWriter(16 * 1024);
  private flushScheduled = false;
  private readonly flushBound = () => this.flushBatch();
  /** Every call's deadline, on one timer. */
  private readonly deadlines: Wakeups<Pending>;
  private readonly inUse = (xid: number) => this.pending.has(xid);
  private stream: ByteStream | undefined;
  private connecting = false;
  private closed = false;

  constructor(options: OncTcpClientOptions) {
    this.options = options;
    this.clock = options.clock;
    this.maxRecordSize = options.maxRecordSize ?? 64 * 1024 * 1024;
    this.maxFragmentSize = options.maxFragmentSize ?? 1024 * 1024;
    this.xids = createXidSource(options.random);
    this.deadlines = new Wakeups<Pending>(this.clock, (p) => this.expire(p));
  }

  /** Calls in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  call<R>(request: CallRequest<R>): Promise<R> {
    const what = request.procedureName;
    if (this.closed) return Promise.reject(new RpcError("closed", `${what}: client is closed`));
    if (request.signal?.aborted)
      return Promise.reject(new RpcError("canceled", `${what}: canceled before sending`));
    const xid = this.xids.next(this.inUse);
    const stream = this.stream;
    let frames: Uint8Array[] | undefined;
    try {
      if (stream !== undefined) this.append(xid, request as CallRequest<unknown>, stream);
      else frames = this.encode(xid, request as CallRequest<unknown>);
    } catch (e) {
      return Promise.reject(e);
    }
    const startedAt = this.clock.now();
    return new Promise<R>((resolve, reject) => {
      const p: Pending = {
        xid,
        request: request as CallRequest<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
        startedAt,
        frames,
        stream,
        wakeAt: startedAt + request.timeoutMs,
        onAbort: undefined,
        heapIndex: -1,
      };
      this.pending.set(xid, p);
      if (this.pending.size === 1) this.stream?.setKeepAlive?.(true);
      this.stats.calls++;
      this.deadlines.add(p);
      const signal = request.signal;
      if (signal !== undefined) {
        p.onAbort = () => this.finish(p, new RpcError("canceled", `${what}: canceled`), undefined);
        signal.addEventListener("abort", p.onAbort, { once: true });
      }
      if (stream === undefined) {
        this.queue.push(p);
        this.connect();
      }
    });
  }

  /**
   * Appends the call's record to the batch that leaves at the end of this microtask turn (one
   * buffer and one write for every call made in the turn). Records that may be large go
   * separately, after the batch.
   */
  private append(xid: number, request: CallRequest<unknown>, stream: ByteStream): void {
    const w = this.batch;
    const start = w.length;
    try {
      w.writeUint(0); // the record mark, patched below
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
      rollback(w, start);
      throw new RpcError("invalid_argument", `${request.procedureName}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const length = w.length - start - 4;
    // Below this size no opaque was held by reference (those are ≥ 64 KiB), so the batch is one
    // segment and the mark can be patched in place.
    if (length >= BATCH_RECORD_MAX || length > this.maxFragmentSize) {
      rollback(w, start);
      const frames = this.encode(xid, request);
      this.flushBatch();
      stream.write(frames.length === 1 ? frames[0]! : frames);
      return;
    }
    w.patchUint(start, (LAST_FRAGMENT | length) >>> 0);
    if (w.length >= BATCH_FLUSH_BYTES) this.flushBatch();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flushBound);
    }
  }

  private flushBatch(): void {
    this.flushScheduled = false;
    const w = this.batch;
    if (w.length === 0) return;
    const bytes = w.finish();
    w.reset();
    this.stream?.write(bytes);
  }

  private encode(xid: number, request: CallRequest<unknown>): Uint8Array[] {
    const w = this.writer;
    w.reset();
    try {
      w.writeUint(0); // the record mark, patched below
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
      throw new RpcError("invalid_argument", `${request.procedureName}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const length = w.length - 4;
    if (length > this.maxRecordSize) {
      throw new RpcError(
        "invalid_argument",
        `${request.procedureName}: call of ${length} bytes exceeds the record limit of ${this.maxRecordSize}`,
      );
    }
    // The record mark is written into the finished copy: a writer holding a large opaque by
    // reference cannot patch its first segment.
    const bytes = w.finish();
    if (length <= this.maxFragmentSize) {
      writeFragmentHeader(bytes, 0, length, true);
      return [bytes];
    }
    return frameRecord(bytes.subarray(4), this.maxFragmentSize);
  }

  private send(p: Pending, stream: ByteStream): void {
    p.stream = stream;
    const frames = p.frames!;
    p.frames = undefined;
    stream.write(frames.length === 1 ? frames[0]! : frames);
  }

  private connect(): void {
    if (this.connecting || this.closed) return;
    this.connecting = true;
    this.options.connect().then(
      (stream) => {
        this.connecting = false;
        this.stats.connects++;
        if (this.closed) {
          stream.destroy();
          return;
        }
        this.attach(stream);
      },
      (e: unknown) => {
        this.connecting = false;
        this.stats.connectFailures++;
        const error = RpcError.from(e, "unreachable");
        const waiting = this.queue;
        this.queue = [];
        for (const p of waiting) {
          if (this.pending.get(p.xid) === p) {
            this.finish(
              p,
              new RpcError(
                error.code,
                `${p.request.procedureName}: ${error.message.replace(/^\[[a-z_]+\] /, "")}`,
                { cause: e, details: error.details, remote: error.remote },
              ),
              undefined,
            );
          }
        }
      },
    );
  }

  private attach(stream: ByteStream): void {
    this.stream = stream;
    stream.setKeepAlive?.(this.pending.size > 0);
    const decoder = new RecordDecoder({ maxRecordSize: this.maxRecordSize });
    const onRecord = (record: Uint8Array) => this.receive(record);
    stream.onData((chunk) => {
      const err = decoder.push(chunk, onRecord);
      if (err !== null) {
        stream.destroy(
          new Error(`reply record of ${err.size} bytes exceeds the limit of ${err.maxRecordSize}`),
        );
      }
    });
    stream.onClose((error) => this.detach(stream, error));
    const waiting = this.queue;
    this.queue = [];
    for (const p of waiting) if (this.pending.get(p.xid) === p) this.send(p, stream);
  }

  private detach(stream: ByteStream, error: Error | undefined): void {
    if (this.stream === stream) {
      this.stream = undefined;
      // Records not yet written belong to the broken connection: never to a new one.
      this.batch.reset();
      this.flushScheduled = false;
    }
    const reason = error?.message ?? "the server closed the connection";
    for (const p of this.pending.valuesArray()) {
      if (p.stream !== stream) continue;
      this.finish(
        p,
        new RpcError(
          "outcome_unknown",
          `${p.request.procedureName}: connection to ${this.options.name} broke after the call was sent (${reason}); it may or may not have run`,
          { cause: error, remote: false },
        ),
        undefined,
      );
    }
    if (this.queue.length > 0) this.connect();
  }

  private receive(record: Uint8Array): void {
    if (record.length < 12) return;
    const xid = ((record[0]! << 24) | (record[1]! << 16) | (record[2]! << 8) | record[3]!) >>> 0;
    const p = this.pending.get(xid);
    if (p === undefined) {
      this.stats.droppedUnknownXid++;
      return;
    }
    this.stats.replies++;
    let value: unknown;
    try {
      value = readReply(record, p.request.readResult, p.request.procedureName);
    } catch (e) {
      this.finish(p, RpcError.from(e, "malformed"), undefined);
      return;
    }
    this.finish(p, undefined, value);
  }

  private expire(p: Pending): void {
    if (this.pending.get(p.xid) !== p) return;
    this.stats.timeouts++;
    const elapsedMs = Math.round(this.clock.now() - p.startedAt);
    const sent = p.stream !== undefined ? 1 : 0;
    this.finish(
      p,
      new RpcError(
        "timeout",
        `${p.request.procedureName}: no reply from ${this.options.name} after ${elapsedMs} ms (${sent === 1 ? "sent once" : "never sent: no connection"})`,
        { details: { elapsedMs, transmissions: sent } },
      ),
      undefined,
    );
  }

  private finish(p: Pending, error: RpcError | undefined, value: unknown): void {
    this.pending.delete(p.xid);
    if (this.pending.size === 0) this.stream?.setKeepAlive?.(false);
    this.deadlines.delete(p);
    if (p.onAbort !== undefined) p.request.signal?.removeEventListener("abort", p.onAbort);
    if (p.frames !== undefined) {
      const i = this.queue.indexOf(p);
      if (i >= 0) this.queue.splice(i, 1);
    }
    if (error !== undefined) p.reject(error);
    else p.resolve(value);
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
    this.stream?.close();
    this.stream = undefined;
    return Promise.resolve();
  }
}
