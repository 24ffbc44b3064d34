/**
 * A byte-stream connection, as the protocol layers see it: Node's `net.Socket` in production
 * (`io/node/tcp.ts`), an in-memory pipe in tests. ONC RPC over TCP frames its messages on it with
 * record marking (RFC 5531 §11).
 */
import type { Endpoint } from "./datagram.js";

export interface ByteStream {
  /** The peer's address. */
  readonly remote: Endpoint;
  /** Our address. */
  readonly local: Endpoint;
  /**
   * Queues bytes for sending. Writes made in one turn of the event loop leave together, in one
   * system call where possible. The buffers pass to the stream: do not modify them afterwards.
   * Returns false once more than the high-water mark is buffered (the peer is not reading):
   * stop writing until {@link onDrain} fires.
   */
  write(data: Uint8Array | readonly Uint8Array[]): boolean;
  /** Bytes queued and not yet taken by the kernel. */
  readonly bufferedBytes: number;
  /** Sets the one receiver of incoming bytes (chunks are fresh: the stream never reuses them). */
  onData(handler: (chunk: Uint8Array) => void): void;
  /** Sets the one listener told when buffered bytes fall below the high-water mark. */
  onDrain(handler: () => void): void;
  /** Sets the one listener told once when the stream ends, with the error that ended it, if any. */
  onClose(handler: (error: Error | undefined) => void): void;
  /** Stops reading (back-pressure: the kernel's window then fills and the peer slows down). */
  pause(): void;
  /** Resumes reading. */
  resume(): void;
  /** Whether the stream keeps the process alive (see `DatagramPort.setKeepAlive`). Optional. */
  setKeepAlive?(keepAlive: boolean): void;
  /** Sends what is queued, then ends the stream. Idempotent. */
  close(): void;
  /** Ends the stream at once, dropping what is queued. Idempotent. */
  destroy(error?: Error): void;
}

/** A listening stream socket. */
export interface StreamListener {
  /** The bound address (with the real port when 0 was asked). */
  readonly local: Endpoint;
  /** Stops accepting; existing connections stay open. */
  close(): Promise<void>;
}
