/**
 * A datagram-port wrapper that drops and duplicates datagrams in both directions, every choice
 * from one seeded PRNG (the same seed gives the same faults for the same traffic).
 */
import type { DatagramPort, Endpoint, Random, SendFailure } from "../../src/io/index.js";

export interface Faults {
  /** Probability that a datagram is lost, each way. */
  readonly loss: number;
  /** Probability that a datagram is delivered twice, each way. */
  readonly duplicate: number;
}

export class FaultyPort implements DatagramPort {
  readonly stats = { dropped: 0, duplicated: 0 };
  private handler: (data: Uint8Array, from: Endpoint) => void = () => {};

  constructor(
    private readonly inner: DatagramPort,
    private readonly random: Random,
    private readonly faults: Faults,
  ) {
    inner.onMessage((data, from) => this.pass(() => this.handler(data, from)));
  }

  get local(): Endpoint {
    return this.inner.local;
  }

  get maxDatagramSize(): number {
    return this.inner.maxDatagramSize;
  }

  private pass(deliver: () => void): void {
    if (this.random.next() < this.faults.loss) {
      this.stats.dropped++;
      return;
    }
    deliver();
    if (this.random.next() < this.faults.duplicate) {
      this.stats.duplicated++;
      deliver();
    }
  }

  send(data: Uint8Array | readonly Uint8Array[], to: Endpoint): void {
    this.pass(() => this.inner.send(data, to));
  }

  onMessage(handler: (data: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }

  onError(handler: (failure: SendFailure) => void): void {
    this.inner.onError(handler);
  }

  close(): void {
    this.inner.close();
  }
}
