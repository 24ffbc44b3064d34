/**
 * The UDP message layer: a thin, typed wrapper over `node:dgram`.
 *
 * `openUdp()` binds a socket; `resolve()` turns a host name into addresses; `send()` sends a
 * datagram; incoming datagrams arrive either to one callback (`onMessage`, what the protocol
 * layers use: it is the {@link DatagramPort} of `io/datagram.ts`) or, with no callback set, as an
 * async iteration (`for await (const { data, from } of socket)`), through a bounded queue that
 * drops and counts what overflows — UDP promises nothing, and neither does a full queue.
 */
import * as dgram from "node:dgram";
import * as dns from "node:dns";
import { isIP } from "node:net";
import type { DatagramPort, Endpoint, SendFailure } from "../datagram.js";

/** One received datagram. */
export interface Datagram {
  readonly data: Uint8Array;
  readonly from: Endpoint;
}

export interface UdpOptions {
  /** Local address to bind; default `0.0.0.0`, or `::` when `family` is 6. */
  readonly host?: string;
  /** Local port; default 0 (an ephemeral port). */
  readonly port?: number;
  /** 4 or 6; default: the family of `host`, else 4. */
  readonly family?: 4 | 6;
  /** With an IPv6 `host`: accept IPv6 only (so `::` and `0.0.0.0` can share a port). */
  readonly ipv6Only?: boolean;
  /** Kernel receive buffer (`SO_RCVBUF`) in bytes, when set. */
  readonly recvBufferSize?: number;
  /** Kernel send buffer (`SO_SNDBUF`) in bytes, when set. */
  readonly sendBufferSize?: number;
  /** Datagrams held for async iteration before new ones are dropped; default 1024. */
  readonly queueLimit?: number;
  /** Largest datagram sent or accepted, in bytes; default 65507 (the IPv4 UDP maximum). */
  readonly maxDatagramSize?: number;
}

/** Counters of one socket. */
export interface UdpStats {
  sent: number;
  received: number;
  /** Dropped because the iteration queue was full. */
  droppedQueueFull: number;
  /** Dropped because they exceeded `maxDatagramSize`. */
  droppedTooBig: number;
  sendErrors: number;
}

/** Resolves a host name (or address literal) to its UDP endpoints, IPv4 and IPv6 (DNS A/AAAA). */
export async function resolve(host: string, port: number, family?: 4 | 6): Promise<Endpoint[]> {
  const literal = isIP(host);
  if (literal !== 0) return [{ address: host, port, family: literal === 6 ? "IPv6" : "IPv4" }];
  const found = await dns.promises.lookup(host, { all: true, family: family ?? 0, verbatim: true });
  return found.map((a) => ({ address: a.address, port, family: a.family === 6 ? "IPv6" : "IPv4" }));
}

/**
 * dgram looks up every destination, even an address literal, and by default that costs a
 * `process.nextTick`; this lookup answers literals synchronously and defers only real names.
 */
function fastLookup(
  host: string,
  options: dns.LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  // A server answers the same few clients over and over: remember the last literal, so that
  // `isIP`'s regular expressions run once per change of address, not once per datagram.
  if (host === lastLiteral) {
    callback(null, host, lastFamily);
    return;
  }
  const literal = isIP(host);
  if (literal === 0) {
    dns.lookup(host, options, callback);
    return;
  }
  lastLiteral = host;
  lastFamily = literal;
  callback(null, host, literal);
}
let lastLiteral = "";
let lastFamily = 4;

/** A bound UDP socket. */
export class UdpSocket implements DatagramPort, AsyncIterable<Datagram> {
  readonly local: Endpoint;
  readonly maxDatagramSize: number;
  /**
   * Node gives every received message an ArrayBuffer of its own, exactly its length (checked in
   * udp.test.ts), and this socket hands that memory on: receivers may keep it.
   */
  readonly receivedDatagramsOwned = true;
  readonly stats: UdpStats = {
    sent: 0,
    received: 0,
    droppedQueueFull: 0,
    droppedTooBig: 0,
    sendErrors: 0,
  };
  private readonly socket: dgram.Socket;
  private handler: ((data: Uint8Array, from: Endpoint) => void) | null = null;
  private errorHandler: ((failure: SendFailure) => void) | null = null;
  private readonly queue: Datagram[] = [];
  private readonly queueLimit: number;
  private waiters: ((r: IteratorResult<Datagram>) => void)[] = [];
  private closed = false;
  private peer: Endpoint | null = null;
  private lastFrom: Endpoint | null = null;
  private readonly afterSend: (err: Error | null) => void;

  /** Use {@link openUdp}. */
  constructor(socket: dgram.Socket, options: UdpOptions) {
    this.socket = socket;
    const a = socket.address();
    this.local = {
      address: a.address,
      port: a.port,
      family: a.family === "IPv6" ? "IPv6" : "IPv4",
    };
    this.maxDatagramSize = options.maxDatagramSize ?? 65507;
    this.queueLimit = options.queueLimit ?? 1024;
    this.afterSend = (err) => {
      if (err === null) return;
      this.stats.sendErrors++;
      const e = err as Error & { address?: string; port?: number };
      const to: Endpoint = {
        address: e.address ?? "",
        port: e.port ?? 0,
        family: isIP(e.address ?? "") === 6 ? "IPv6" : "IPv4",
      };
      this.errorHandler?.({ to, error: err });
    };
    socket.on("message", (msg, rinfo) => this.receive(msg, rinfo));
    socket.on("error", (err) => this.afterSend(err));
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (msg.length > this.maxDatagramSize) {
      this.stats.droppedTooBig++;
      return;
    }
    this.stats.received++;
    const from = this.sourceOf(rinfo);
    if (this.handler !== null) {
      // A plain Uint8Array view: slicing a Buffer goes through its species constructor, several
      // times slower than a Uint8Array's subarray, and decoders slice every field.
      this.handler(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), from);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter({ value: { data: msg, from }, done: false });
    } else if (this.queue.length < this.queueLimit) {
      this.queue.push({ data: msg, from });
    } else {
      this.stats.droppedQueueFull++;
    }
  }

  /**
   * The sender of a datagram as an Endpoint. A connected socket hears only its peer; otherwise
   * consecutive datagrams from one sender (the common case under load) share one object.
   */
  private sourceOf(rinfo: dgram.RemoteInfo): Endpoint {
    const peer = this.peer;
    if (peer !== null && rinfo.port === peer.port && rinfo.address === peer.address) return peer;
    const last = this.lastFrom;
    if (last !== null && rinfo.port === last.port && rinfo.address === last.address) return last;
    const from: Endpoint = {
      address: rinfo.address,
      port: rinfo.port,
      family: rinfo.family === "IPv6" ? "IPv6" : "IPv4",
    };
    this.lastFrom = from;
    return from;
  }

  send(data: Uint8Array | readonly Uint8Array[], to: Endpoint): void {
    if (this.closed) return;
    const size = data instanceof Uint8Array ? data.length : data.reduce((n, b) => n + b.length, 0);
    if (size > this.maxDatagramSize) {
      this.stats.sendErrors++;
      this.errorHandler?.({ to, error: new RangeError(`datagram of ${size} bytes is too big`) });
      return;
    }
    this.stats.sent++;
    const peer = this.peer;
    if (peer !== null && to.port === peer.port && to.address === peer.address) {
      // Connected: no address per datagram (and the kernel reports ICMP errors to us).
      this.socket.send(data as Uint8Array | Uint8Array[]);
      return;
    }
    // No callback: Node then tries a synchronous sendto (uv_udp_try_send) and only queues when
    // the kernel would block; with a callback every datagram waits for the next poll phase.
    // Errors arrive as the socket's 'error' event instead.
    this.socket.send(data as Uint8Array | Uint8Array[], to.port, to.address);
  }

  /** Sends and resolves once the kernel has taken the datagram (or rejects with its error). */
  sendAsync(data: Uint8Array | readonly Uint8Array[], to: Endpoint): Promise<void> {
    return new Promise((resolveSend, reject) => {
      if (this.closed) {
        reject(new Error("socket is closed"));
        return;
      }
      this.stats.sent++;
      this.socket.send(data as Uint8Array | Uint8Array[], to.port, to.address, (err) =>
        err ? reject(err) : resolveSend(),
      );
    });
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  /**
   * Connects the socket to one peer (a client's server): datagrams to it go without an address
   * lookup, only its datagrams are received, and ICMP errors (port unreachable: `ECONNREFUSED`)
   * reach the error handler. Sends to other endpoints still work.
   */
  connect(to: Endpoint): Promise<void> {
    return new Promise((resolveConnect, reject) => {
      if (this.closed) {
        // dgram would throw ERR_SOCKET_DGRAM_NOT_RUNNING; say what happened instead.
        reject(new Error("socket is closed"));
        return;
      }
      this.socket.connect(to.port, to.address, (err?: Error) => {
        if (err) {
          reject(err);
          return;
        }
        this.peer = to;
        resolveConnect();
      });
    });
  }

  setKeepAlive(keepAlive: boolean): void {
    if (this.closed) return;
    if (keepAlive) this.socket.ref();
    else this.socket.unref();
  }

  onError(handler: (failure: SendFailure) => void): void {
    this.errorHandler = handler;
  }

  [Symbol.asyncIterator](): AsyncIterator<Datagram> {
    return {
      next: () => {
        const queued = this.queue.shift();
        if (queued !== undefined) return Promise.resolve({ value: queued, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((r) => this.waiters.push(r));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /**
   * The kernel's buffers of this socket, bytes, as it reports them (`SO_RCVBUF`, `SO_SNDBUF`).
   * Linux reports twice what it granted (the other half is its bookkeeping) and grants at most
   * `net.core.rmem_max` / `wmem_max` to what was asked, silently: compare with what you asked
   * (see {@link bufferShortfall}).
   */
  bufferBytes(): { receive: number; send: number } {
    return { receive: this.socket.getRecvBufferSize(), send: this.socket.getSendBufferSize() };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    for (const w of this.waiters) w({ value: undefined, done: true });
    this.waiters = [];
  }
}

/**
 * What the kernel withheld of the buffers `asked` (bytes, per side): the sides it granted less
 * than asked, with what it granted (on Linux half what {@link UdpSocket.bufferBytes} reports);
 * empty when it granted all. A receive buffer capped by `net.core.rmem_max` drops datagrams in
 * bursts that a bigger one would have held (quic-go warns of the same).
 */
export function bufferShortfall(
  socket: Pick<UdpSocket, "bufferBytes">,
  asked: { receive?: number; send?: number },
  platform: string = process.platform,
): { side: "receive" | "send"; asked: number; granted: number }[] {
  const got = socket.bufferBytes();
  const out: { side: "receive" | "send"; asked: number; granted: number }[] = [];
  for (const side of ["receive", "send"] as const) {
    const want = asked[side];
    const granted = platform === "linux" ? Math.floor(got[side] / 2) : got[side];
    if (want !== undefined && granted < want) out.push({ side, asked: want, granted });
  }
  return out;
}

/** Binds a UDP socket and resolves once it is ready. */
export function openUdp(options: UdpOptions = {}): Promise<UdpSocket> {
  const family = options.family ?? (options.host !== undefined && isIP(options.host) === 6 ? 6 : 4);
  const host = options.host ?? (family === 6 ? "::" : "0.0.0.0");
  return new Promise((resolveOpen, reject) => {
    const socket = dgram.createSocket({
      type: family === 6 ? "udp6" : "udp4",
      ...(options.ipv6Only === true ? { ipv6Only: true } : {}),
      lookup: fastLookup as unknown as dgram.SocketOptions["lookup"],
      ...(options.recvBufferSize === undefined ? {} : { recvBufferSize: options.recvBufferSize }),
      ...(options.sendBufferSize === undefined ? {} : { sendBufferSize: options.sendBufferSize }),
    });
    socket.once("error", reject);
    socket.bind(options.port ?? 0, host, () => {
      socket.off("error", reject);
      resolveOpen(new UdpSocket(socket, options));
    });
  });
}
