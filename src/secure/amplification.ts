/**
 * Anti-amplification accounting (RFC 9000 §8, QUIC's rule): until a peer's address is validated,
 * a server sends it at most `factor` (3) times the bytes it received from that address, so a
 * spoofed source cannot turn the server into an amplifier.
 *
 * An address becomes validated when the peer proves it receives there: a valid cookie (mac2) or
 * an authenticated data packet of a completed handshake. The table is bounded; forgetting an
 * entry loses its received-bytes credit (and any validation), which only ever makes the server
 * send less.
 */

interface Budget {
  received: number;
  sent: number;
  validated: boolean;
}

/** Options of {@link AmplificationGuard}. */
export interface AmplificationOptions {
  /** Bytes that may be sent per byte received from an unvalidated address; RFC 9000: 3. */
  readonly factor?: number;
  /** Addresses tracked at once. */
  readonly maxAddresses?: number;
}

/** Bytes received from and sent to each unvalidated address, and the 3× rule over them. */
export class AmplificationGuard {
  private readonly table = new Map<string, Budget>();
  private readonly factor: number;
  private readonly maxAddresses: number;
  /** Sends refused because they would have exceeded the limit. */
  blocked = 0;

  constructor(options: AmplificationOptions = {}) {
    this.factor = options.factor ?? 3;
    this.maxAddresses = options.maxAddresses ?? 16_384;
  }

  /** Counts `bytes` received from `address`. */
  received(address: string, bytes: number): void {
    this.entry(address).received += bytes;
  }

  /** Marks `address` as validated: sends to it are no longer limited. */
  validate(address: string): void {
    this.entry(address).validated = true;
  }

  /** Whether `address` is validated. */
  isValidated(address: string): boolean {
    return this.table.get(address)?.validated === true;
  }

  /** Whether `bytes` may be sent to `address` now (counts nothing). */
  allows(address: string, bytes: number): boolean {
    const budget = this.table.get(address);
    if (budget === undefined) return false;
    return budget.validated || budget.sent + bytes <= this.factor * budget.received;
  }

  /** Whether `bytes` may be sent to `address` now; if so, counts them as sent. */
  trySend(address: string, bytes: number): boolean {
    const budget = this.table.get(address);
    if (budget === undefined) {
      this.blocked++;
      return false;
    }
    if (!budget.validated && budget.sent + bytes > this.factor * budget.received) {
      this.blocked++;
      return false;
    }
    budget.sent += bytes;
    return true;
  }

  /** Addresses tracked (never more than `maxAddresses`). */
  get size(): number {
    return this.table.size;
  }

  private entry(address: string): Budget {
    let budget = this.table.get(address);
    if (budget === undefined) {
      if (this.table.size >= this.maxAddresses) {
        const oldest = this.table.keys().next().value;
        if (oldest !== undefined) this.table.delete(oldest);
      }
      budget = { received: 0, sent: 0, validated: false };
      this.table.set(address, budget);
    }
    return budget;
  }
}
