/**
 * A datagram endpoint, as the protocol layers see it: Node's `dgram` in production
 * (`io/node/udp.ts`), a simulated network in tests (`testing/`).
 */

/** A UDP peer address. `family` follows Node's spelling. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
  readonly family: "IPv4" | "IPv6";
}

/** Why a datagram was not sent, reported to the sender's error handler. */
export interface SendFailure {
  readonly to: Endpoint;
  readonly error: Error;
}

export interface DatagramPort {
  /** The address this port is bound to. */
  readonly local: Endpoint;
  /** Largest payload this port sends in one datagram (bytes). */
  readonly maxDatagramSize: number;
  /**
   * Sends one datagram made of the concatenation of `data`. Fire and forget; failures go to
   * {@link onError}. The buffers pass to the port: the caller must not modify them afterwards
   * (Node may still be reading them after `send` returns).
   */
  send(data: Uint8Array | readonly Uint8Array[], to: Endpoint): void;
  /**
   * True when every datagram handed to the {@link onMessage} handler is a buffer of its own that
   * the port never writes again, so the receiver may keep it (or views of it) instead of copying.
   * Optional: absent means the handler must copy what it keeps.
   */
  readonly receivedDatagramsOwned?: boolean;
  /** Sets the one receiver of incoming datagrams (replaces the previous one). */
  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void;
  /** Sets the one receiver of send errors (ICMP unreachable, EMSGSIZE ...). */
  onError(handler: (failure: SendFailure) => void): void;
  /**
   * Whether the port keeps the process alive (Node's `ref`/`unref`); clients unref it while no
   * call is in flight, so an idle client never holds a process open. Optional.
   */
  setKeepAlive?(keepAlive: boolean): void;
  /** Stops receiving and releases the socket. Idempotent. */
  close(): void;
}
