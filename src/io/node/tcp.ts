/**
 * TCP for the stream transports: `connectTcp()` and `listenTcp()` return {@link ByteStream}s
 * over `node:net`.
 *
 * Writes are batched: everything written in one turn of the event loop is corked and leaves in
 * one `writev` when the turn ends (`setImmediate`), so 128 pipelined calls cost one system call,
 * not 128. Nagle is off (each batch is a complete set of records).
 */
import * as net from "node:net";
import type { Endpoint } from "../datagram.js";
import type { ByteStream, StreamListener } from "../stream.js";

/** Options of a TCP connection. */
export interface TcpOptions {
  /** Bytes buffered before `write` returns false; default 1 MiB. */
  readonly highWaterMarkBytes?: number;
}

function endpoint(
  address: string | undefined,
  port: number | undefined,
  family?: string,
): Endpoint {
  return {
    address: address ?? "",
    port: port ?? 0,
    family: family === "IPv6" || (address ?? "").includes(":") ? "IPv6" : "IPv4",
  };
}

class NodeByteStream implements ByteStream {
  readonly remote: Endpoint;
  readonly local: Endpoint;
  private readonly socket: net.Socket;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private dataHandler: (chunk: Uint8Array) => void = () => {};
  private drainHandler: () => void = () => {};
  private closeHandler: (error: Error | undefined) => void = () => {};
  private closed = false;
  private error: Error | undefined;
  private readonly highWaterMark: number;
  private readonly flushBound = () => this.flush();
  private readonly onSocketData = (chunk: Buffer) => this.dataHandler(chunk);
  private readonly onSocketDrain = () => {
    if (this.bufferedBytes < this.highWaterMark) this.drainHandler();
  };
  private readonly onSocketError = (e: Error) => {
    this.error ??= e;
  };
  private readonly onSocketClose = () => {
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.closeHandler(this.error);
  };

  constructor(
    socket: net.Socket,
    options: TcpOptions,
    endpoints?: { readonly remote: Endpoint; readonly local: Endpoint },
  ) {
    this.socket = socket;
    this.highWaterMark = options.highWaterMarkBytes ?? 1024 * 1024;
    socket.setNoDelay(true);
    this.remote =
      endpoints?.remote ?? endpoint(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
    this.local =
      endpoints?.local ?? endpoint(socket.localAddress, socket.localPort, socket.localFamily);
    socket.on("data", this.onSocketData);
    socket.on("drain", this.onSocketDrain);
    socket.on("error", this.onSocketError);
    socket.on("close", this.onSocketClose);
  }

  /**
   * Hands the socket over (to be wrapped in TLS): stops reading, writes what is queued, removes
   * this stream's listeners. The stream is then dead (writes return false, no more events) but
   * `destroy()` still destroys the socket.
   */
  detach(): net.Socket {
    this.socket.pause();
    this.flush();
    this.socket.off("data", this.onSocketData);
    this.socket.off("drain", this.onSocketDrain);
    this.socket.off("error", this.onSocketError);
    this.socket.off("close", this.onSocketClose);
    this.closed = true;
    return this.socket;
  }

  get bufferedBytes(): number {
    return this.queuedBytes + this.socket.writableLength;
  }

  write(data: Uint8Array | readonly Uint8Array[]): boolean {
    if (this.closed || this.socket.destroyed) return false;
    if (data instanceof Uint8Array) {
      this.queue.push(data);
      this.queuedBytes += data.length;
    } else {
      for (const d of data) {
        this.queue.push(d);
        this.queuedBytes += d.length;
      }
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushBound);
    }
    return this.bufferedBytes < this.highWaterMark;
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    if (queue.length === 0 || this.socket.destroyed) return;
    this.queue = [];
    this.queuedBytes = 0;
    if (queue.length === 1) {
      this.socket.write(queue[0]!);
      return;
    }
    this.socket.cork();
    for (const b of queue) this.socket.write(b);
    this.socket.uncork();
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.dataHandler = handler;
  }

  onDrain(handler: () => void): void {
    this.drainHandler = handler;
  }

  onClose(handler: (error: Error | undefined) => void): void {
    this.closeHandler = handler;
    if (this.closed) handler(this.error);
  }

  pause(): void {
    this.socket.pause();
  }

  setKeepAlive(keepAlive: boolean): void {
    if (keepAlive) this.socket.ref();
    else this.socket.unref();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    if (this.socket.destroyed) return;
    this.flush();
    this.socket.end();
  }

  destroy(error?: Error): void {
    if (error !== undefined) this.error ??= error;
    this.socket.destroy();
  }
}

/**
 * Takes the socket out of a stream made here (for `tls.ts`: STARTTLS-style upgrades); see
 * `NodeByteStream.detach`. Throws a `TypeError` for any other stream.
 */
export function detachSocket(stream: ByteStream): net.Socket {
  if (!(stream instanceof NodeByteStream)) {
    throw new TypeError("only a stream from connectTcp/listenTcp can be upgraded to TLS");
  }
  return stream.detach();
}

/** A {@link ByteStream} over `socket` (a TLS socket after an upgrade), keeping `endpoints`. */
export function streamOverSocket(
  socket: net.Socket,
  endpoints: { readonly remote: Endpoint; readonly local: Endpoint },
  options: TcpOptions = {},
): ByteStream {
  return new NodeByteStream(socket, options, endpoints);
}

/** Connects to `to`; rejects with Node's error (ECONNREFUSED, ...) when it cannot. */
export function connectTcp(to: Endpoint, options: TcpOptions = {}): Promise<ByteStream> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: to.address, port: to.port });
    const fail = (e: Error) => reject(e);
    socket.once("error", fail);
    socket.once("connect", () => {
      socket.off("error", fail);
      resolve(new NodeByteStream(socket, options));
    });
  });
}

/** Options of a TCP listener. */
export interface ListenTcpOptions extends TcpOptions {
  /** Address to bind; default `0.0.0.0`. */
  readonly host?: string;
  /** Port; default 0 (ephemeral). */
  readonly port?: number;
  /** With an IPv6 `host`: accept IPv6 only (so `::` and `0.0.0.0` can share a port). */
  readonly ipv6Only?: boolean;
  /** Refuse connections past this many at once (default 1024). */
  readonly maxConnections?: number;
}

/** Listens for TCP connections; `onConnection` gets each as a {@link ByteStream}. */
export function listenTcp(
  options: ListenTcpOptions,
  onConnection: (stream: ByteStream) => void,
): Promise<StreamListener> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => onConnection(new NodeByteStream(socket, options)));
    server.maxConnections = options.maxConnections ?? 1024;
    server.once("error", reject);
    const listenOptions: net.ListenOptions = {
      host: options.host ?? "0.0.0.0",
      port: options.port ?? 0,
    };
    if (options.ipv6Only === true) listenOptions.ipv6Only = true;
    server.listen(listenOptions, () => {
      server.off("error", reject);
      const a = server.address() as net.AddressInfo;
      resolve({
        local: endpoint(a.address, a.port, a.family),
        close: () => {
          // Stops listening at once; connections already accepted stay up until their owners
          // close them (server.close's callback would wait for them).
          server.close();
          return Promise.resolve();
        },
      });
    });
  });
}
