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

  constructor(socket: net.Socket, options: TcpOptions) {
    this.socket = socket;
    this.highWaterMark = options.highWaterMarkBytes ?? 1024 * 1024;
    socket.setNoDelay(true);
    this.remote = endpoint(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
    this.local = endpoint(socket.localAddress, socket.localPort, socket.localFamily);
    socket.on("data", (chunk: Buffer) => this.dataHandler(chunk));
    socket.on("drain", () => {
      if (this.bufferedBytes < this.highWaterMark) this.drainHandler();
    });
    socket.on("error", (e) => {
      this.error ??= e;
    });
    socket.on("close", () => {
      this.closed = true;
      this.queue = [];
      this.queuedBytes = 0;
      this.closeHandler(this.error);
    });
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
