/**
 * Byte-lane sums: the engine behind the additive checksums and the Internet checksum.
 *
 * A sum of `width`-byte big-endian words is `Σ lane[k] · 256^(width-1-k)`, where `lane[k]` is the
 * plain sum of the bytes at positions `≡ k (mod width)`. Summing lanes instead of words lets the
 * carries be deferred (RFC 1071 §2(C)) and makes streaming trivial: the position of a byte in the
 * whole stream, not in the current chunk, picks its lane, so chunks may split words anywhere.
 */

/** Bytes summed between reductions: 255 · 2^20 < 2^28 keeps every partial sum a small integer. */
const CHUNK_BYTES = 1 << 20;

/** Streaming lane sums of one message. Internal to `src/checksum/`. */
export class LaneSums {
  /** `lanes[k]` = sum of the bytes at stream positions ≡ k (mod width), reduced mod `modulus[k]`. */
  readonly lanes: number[];
  /** Bytes seen so far. */
  length = 0;
  /** Whether any byte seen so far was non-zero (the ones'-complement sum needs it). */
  nonZero = false;

  /**
   * @param width word size in bytes
   * @param moduli per lane, a modulus the lane may be reduced by without changing the checksum
   */
  constructor(
    readonly width: 1 | 2 | 4,
    private readonly moduli: readonly number[],
  ) {
    this.lanes = new Array<number>(width).fill(0);
  }

  /** Adds the next bytes of the stream (any length, words may be split across calls). */
  add(data: Uint8Array): this {
    for (let start = 0; start < data.length; start += CHUNK_BYTES) {
      const end = Math.min(data.length, start + CHUNK_BYTES);
      this.addChunk(data, start, end);
      this.length += end - start;
      for (let k = 0; k < this.width; k++) {
        const lane = this.lanes[k]!;
        if (lane > 0) this.nonZero = true;
        this.lanes[k] = lane % this.moduli[k]!;
      }
    }
    return this;
  }

  private addChunk(d: Uint8Array, start: number, end: number): void {
    const w = this.width;
    const lanes = this.lanes;
    let i = start;
    // Bytes before the first word boundary of the stream.
    for (; i < end && (this.length + i - start) % w !== 0; i++) {
      lanes[(this.length + i - start) % w]! += d[i]!;
    }
    const wordsEnd = end - ((end - i) % w);
    if (w === 1) {
      let s = 0;
      for (; i < wordsEnd; i++) s += d[i]!;
      lanes[0]! += s;
    } else if (w === 2) {
      let s0 = 0;
      let s1 = 0;
      for (; i < wordsEnd; i += 2) {
        s0 += d[i]!;
        s1 += d[i + 1]!;
      }
      lanes[0]! += s0;
      lanes[1]! += s1;
    } else {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (; i < wordsEnd; i += 4) {
        s0 += d[i]!;
        s1 += d[i + 1]!;
        s2 += d[i + 2]!;
        s3 += d[i + 3]!;
      }
      lanes[0]! += s0;
      lanes[1]! += s1;
      lanes[2]! += s2;
      lanes[3]! += s3;
    }
    // A trailing partial word: its bytes are the high-order bytes of a word (zero-padded).
    for (let k = 0; i < end; i++, k++) lanes[k]! += d[i]!;
  }
}
