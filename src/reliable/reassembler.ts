/**
 * The receiving side of one fragmented message: checks each fragment against the message's
 * declared size and fragment size, copies it into one buffer allocated at the declared size
 * (bounded by the caller's limits before it is allocated), drops duplicates, and keeps the set of
 * received fragments as sorted ranges for selective acknowledgements.
 *
 * The finished message is that one buffer: the XDR reader returns opaques as views into it, so a
 * 1 GiB argument is held once.
 */

/** What became of one fragment. */
export type FragmentVerdict = "new" | "duplicate" | "invalid";

export class Reassembler {
  readonly messageBytes: number;
  readonly fragmentSize: number;
  readonly fragmentCount: number;
  readonly buffer: Uint8Array;
  receivedCount = 0;
  /** Received ranges `[start, end)`, sorted and disjoint, flattened. */
  private ranges: number[] = [];
  private readonly got: Uint8Array;

  constructor(messageBytes: number, fragmentSize: number) {
    this.messageBytes = messageBytes;
    this.fragmentSize = fragmentSize;
    this.fragmentCount = Math.max(1, Math.ceil(messageBytes / fragmentSize));
    this.buffer = new Uint8Array(messageBytes);
    this.got = new Uint8Array(this.fragmentCount);
  }

  /** Memory this reassembly holds, bytes (what the caller's limits count). */
  get footprintBytes(): number {
    return this.messageBytes + this.fragmentCount;
  }

  get complete(): boolean {
    return this.receivedCount === this.fragmentCount;
  }

  /** Whether `messageBytes`/`fragmentSize` of a fragment match this message. */
  matches(messageBytes: number, fragmentSize: number): boolean {
    return messageBytes === this.messageBytes && fragmentSize === this.fragmentSize;
  }

  /** Stores fragment `index` from `data[from, from+length)`. */
  accept(index: number, data: Uint8Array, from: number, length: number): FragmentVerdict {
    if (index >= this.fragmentCount) return "invalid";
    const expected = Math.min(this.fragmentSize, this.messageBytes - index * this.fragmentSize);
    if (length !== expected) return "invalid";
    if (this.got[index] === 1) return "duplicate";
    this.got[index] = 1;
    this.buffer.set(data.subarray(from, from + length), index * this.fragmentSize);
    this.receivedCount++;
    this.addToRanges(index);
    return "new";
  }

  /** Fragments received contiguously from 0. */
  get cumulative(): number {
    const r = this.ranges;
    return r.length > 0 && r[0] === 0 ? r[1]! : 0;
  }

  /** Whether fragment `index` arrived out of order (a gap below it). */
  hasGapBelow(index: number): boolean {
    return index > this.cumulative;
  }

  /**
   * The ranges above the cumulative point, highest first, at most `max` of them, as flattened
   * `[start, end)` pairs (what a FragmentAck carries).
   */
  ackRanges(max: number): number[] {
    const r = this.ranges;
    const out: number[] = [];
    const low = r.length > 0 && r[0] === 0 ? 2 : 0;
    for (let k = r.length - 2; k >= low && out.length < 2 * max; k -= 2) out.push(r[k]!, r[k + 1]!);
    return out;
  }

  private addToRanges(i: number): void {
    const r = this.ranges;
    // Find the first range whose end >= i (binary search over pairs).
    let lo = 0;
    let hi = r.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[2 * mid + 1]! < i) lo = mid + 1;
      else hi = mid;
    }
    const k = 2 * lo;
    if (k < r.length && r[k + 1] === i) {
      r[k + 1] = i + 1;
      if (k + 2 < r.length && r[k + 2] === i + 1) r.splice(k + 1, 2);
    } else if (k < r.length && r[k] === i + 1) {
      r[k] = i;
    } else {
      r.splice(k, 0, i, i + 1);
    }
  }
}
