/**
 * Sliding anti-replay window over 64-bit packet counters: RFC 6479 ("IPsec Anti-Replay Algorithm
 * without Bit Shifting"). The bitmap is a ring of 32-bit blocks with one redundant block, so
 * advancing the window clears whole blocks instead of shifting bits; every counter within
 * `windowPackets` of the highest one seen is remembered exactly.
 *
 * Contract (as WireGuard and RFC 4303 §3.4.3 use it): `check()` before decrypting, to drop
 * replays and too-old packets cheaply; `accept()` only after the packet authenticated, so a forged
 * counter can never move the window.
 */

/** What {@link ReplayWindow.check} says about a counter. */
export type ReplayVerdict = "fresh" | "replayed" | "too-old";

const BLOCK_BITS = 32;

/** One receive direction's anti-replay window (see the module comment for the contract). */
export class ReplayWindow {
  /** Packets the window spans behind the highest counter accepted. */
  readonly windowPackets: number;
  private readonly blocks: Uint32Array;
  private top = 0;

  /** `windowPackets`: a positive multiple of 32 (2048 by default, as WireGuard's order). */
  constructor(windowPackets = 2048) {
    if (windowPackets % BLOCK_BITS !== 0 || windowPackets <= 0) {
      throw new RangeError("windowPackets must be a positive multiple of 32");
    }
    this.windowPackets = windowPackets;
    this.blocks = new Uint32Array(windowPackets / BLOCK_BITS + 1);
  }

  /** The highest counter accepted so far (0 before any). */
  get highest(): number {
    return this.top;
  }

  /** Whether `counter` could be accepted; changes nothing. */
  check(counter: number): ReplayVerdict {
    if (counter > this.top) return "fresh";
    if (this.top - counter >= this.windowPackets) return "too-old";
    return this.isSet(counter) ? "replayed" : "fresh";
  }

  /**
   * Marks `counter` as received (call after authentication). Returns the verdict it had:
   * only `"fresh"` means the packet may be delivered.
   */
  accept(counter: number): ReplayVerdict {
    const verdict = this.check(counter);
    if (verdict !== "fresh") return verdict;
    if (counter > this.top) {
      const topBlock = Math.floor(this.top / BLOCK_BITS);
      const newBlock = Math.floor(counter / BLOCK_BITS);
      const clear = Math.min(newBlock - topBlock, this.blocks.length);
      for (let i = 1; i <= clear; i++) this.blocks[(topBlock + i) % this.blocks.length] = 0;
      this.top = counter;
    }
    const index = Math.floor(counter / BLOCK_BITS) % this.blocks.length;
    this.blocks[index] = this.blocks[index]! | (1 << (counter % BLOCK_BITS));
    return "fresh";
  }

  private isSet(counter: number): boolean {
    const index = Math.floor(counter / BLOCK_BITS) % this.blocks.length;
    return (this.blocks[index]! & (1 << (counter % BLOCK_BITS))) !== 0;
  }
}
