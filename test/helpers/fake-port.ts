/** A datagram port for tests: records what is sent; the test delivers datagrams by hand. */
import type { DatagramPort, Endpoint, SendFailure } from "../../src/io/index.js";

export class FakePort implements DatagramPort {
  readonly sent: { data: Uint8Array; to: Endpoint }[] = [];
  readonly maxDatagramSize: number;
  closed = false;
  private handler: (data: Uint8Array, from: Endpoint) => void = () => {};

  constructor(
    readonly local: Endpoint = { address: "127.0.0.1", port: 5000, family: "IPv4" },
    maxDatagramSize = 65507,
  ) {
    this.maxDatagramSize = maxDatagramSize;
  }

  send(data: Uint8Array | readonly Uint8Array[], to: Endpoint): void {
    const bytes = data instanceof Uint8Array ? data : Buffer.concat(data as Uint8Array[]);
    this.sent.push({ data: bytes, to });
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  onError(_handler: (failure: SendFailure) => void): void {}

  /** Delivers a datagram to the port's receiver. */
  deliver(data: Uint8Array, from: Endpoint): void {
    this.handler(data, from);
  }

  close(): void {
    this.closed = true;
  }
}
