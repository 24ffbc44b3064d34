/**
 * Many Lupine client sessions over one UDP socket: the scale scenario runs 10,000 sessions in a
 * few processes without 10,000 sockets. Each {@link PortMux.open} gives a virtual
 * {@link DatagramPort} for one client transport (one session). Lupine's header carries the
 * session id at bytes 8–15 (docs/protocol.md §1), and the server keys sessions by that id, not by
 * address, so sessions sharing a source address and port are still separate sessions. The mux
 * learns each virtual port's session id from what it sends (a session that starts over after a
 * Reset sends with its new id, which replaces the old one) and delivers each received datagram
 * to the port whose session it names; datagrams for no known session are dropped and counted.
 */
import type { DatagramPort, Endpoint, SendFailure } from "../../src/io/datagram.js";

const HEADER_BYTES = 20;

/** The session key of a datagram's header (the id's low 53 bits: exact as a number). */
function sessionKeyOf(d: Uint8Array): number {
  const hi = ((d[8]! << 24) | (d[9]! << 16) | (d[10]! << 8) | d[11]!) >>> 0;
  const lo = ((d[12]! << 24) | (d[13]! << 16) | (d[14]! << 8) | d[15]!) >>> 0;
  return (hi & 0x1fffff) * 0x1_0000_0000 + lo;
}

class VirtualPort implements DatagramPort {
  readonly local: Endpoint;
  readonly maxDatagramSize: number;
  key = -1;
  handler: ((data: Uint8Array, from: Endpoint) => void) | null = null;
  errorHandler: ((failure: SendFailure) => void) | null = null;

  constructor(private readonly mux: PortMux) {
    this.local = mux.socket.local;
    this.maxDatagramSize = mux.socket.maxDatagramSize;
  }

  send(data: Uint8Array | readonly Uint8Array[], to: Endpoint): void {
    const first = data instanceof Uint8Array ? data : data[0];
    if (first !== undefined && first.length >= HEADER_BYTES) this.mux.learn(this, first);
    this.mux.socket.send(data, to);
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  onError(handler: (failure: SendFailure) => void): void {
    this.errorHandler = handler;
  }

  close(): void {
    this.mux.forget(this);
  }
}

/** See the module comment. */
export class PortMux {
  private readonly byKey = new Map<number, VirtualPort>();
  /** Datagrams that named no session of this mux. */
  unrouted = 0;

  constructor(readonly socket: DatagramPort) {
    socket.onMessage((data, from) => {
      if (data.length < HEADER_BYTES) {
        this.unrouted++;
        return;
      }
      const port = this.byKey.get(sessionKeyOf(data));
      if (port?.handler == null) this.unrouted++;
      else port.handler(data, from);
    });
  }

  /** A new virtual port (give it to one client transport). */
  open(): DatagramPort {
    return new VirtualPort(this);
  }

  /** Sessions routed now. */
  get sessions(): number {
    return this.byKey.size;
  }

  /** @internal Records the session id a virtual port sends with. */
  learn(port: VirtualPort, datagram: Uint8Array): void {
    const key = sessionKeyOf(datagram);
    if (key === port.key) return;
    if (port.key >= 0 && this.byKey.get(port.key) === port) this.byKey.delete(port.key);
    port.key = key;
    this.byKey.set(key, port);
  }

  /** @internal A virtual port closed. */
  forget(port: VirtualPort): void {
    if (port.key >= 0 && this.byKey.get(port.key) === port) this.byKey.delete(port.key);
    port.handler = null;
  }

  /** Closes the socket (after every virtual port is done). */
  close(): void {
    this.socket.close();
  }
}
