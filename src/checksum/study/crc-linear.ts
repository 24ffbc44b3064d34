/**
 * Exact facts about the CRCs, from linearity rather than sampling.
 *
 * A CRC is affine over GF(2): for messages of one length, crc(m ⊕ e) = crc(m) ⊕ crc₀(e). So an
 * error pattern goes undetected exactly when the XOR of its bits' *syndromes* is zero, whatever
 * the message: a message bit's syndrome is the change it makes to the computed CRC, a check bit's
 * is the change it makes to the received check value. With the syndromes of every frame bit
 * (computed with the real implementation) whole classes of errors can be checked exhaustively:
 * every error of up to 3 (or 5) bits, every burst of up to 32 bits. This holds for the CRCs only;
 * the sums are not GF(2)-linear (carries), which is why the study samples them.
 */
import { type ChecksumAlgorithm, readCheck } from "../types.js";

/** The syndrome of every frame bit (transmission order, see `errors.ts`) for `messageBytes`. */
export function frameSyndromes(algorithm: ChecksumAlgorithm, messageBytes: number): Uint32Array {
  const checkBytes = algorithm.widthBits / 8;
  const syndromes = new Uint32Array((messageBytes + checkBytes) * 8);
  const message = new Uint8Array(messageBytes);
  const base = algorithm.compute(message);
  for (let p = 0; p < messageBytes * 8; p++) {
    message[p >>> 3] = 1 << (p & 7);
    syndromes[p] = (algorithm.compute(message) ^ base) >>> 0;
    message[p >>> 3] = 0;
  }
  const check = new Uint8Array(checkBytes);
  for (let q = 0; q < checkBytes * 8; q++) {
    check[q >>> 3] = 1 << (q & 7);
    syndromes[messageBytes * 8 + q] = readCheck(algorithm, check, 0);
    check[q >>> 3] = 0;
  }
  return syndromes;
}

/** Open-addressing map from 32-bit keys to one non-negative integer each (the first stored). */
class U32Map {
  private readonly keys: Uint32Array;
  private readonly values: Int32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.keys = new Uint32Array(size);
    this.values = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    for (let h = Math.imul(key, 0x9e3779b1) & this.mask; ; h = (h + 1) & this.mask) {
      const v = this.values[h]!;
      if (v < 0 || this.keys[h] === key) return v;
    }
  }

  /** Stores `value` for `key` unless the key is present; returns the value now stored. */
  setIfAbsent(key: number, value: number): number {
    for (let h = Math.imul(key, 0x9e3779b1) & this.mask; ; h = (h + 1) & this.mask) {
      const v = this.values[h]!;
      if (v >= 0 && this.keys[h] === key) return v;
      if (v < 0) {
        this.keys[h] = key;
        this.values[h] = value;
        return value;
      }
    }
  }
}

/** Longest frame, in bits, for a weight-4 or -5 search (a pair table of about 270 MB). */
export const MAX_PAIR_SEARCH_BITS = 6000;

/** Outcome of {@link smallestUndetectedWeight}. */
export interface WeightSearch {
  /** Every error of this many bits or fewer is detected (exhaustively checked). */
  readonly allDetectedUpTo: number;
  /** An undetected error of `allDetectedUpTo + 1` bits, when the search found one. */
  readonly example?: readonly number[];
}

/**
 * Checks every error of 1, 2, … up to `maxWeight` (≤ 5) bits and stops at the first weight with
 * an undetected one. Cost: n, n log n, n²/2, n²/2 and n³/6 steps for weights 1–5 (n = frame
 * bits); weights 4 and 5 also need a table of n²/2 entries (8 bytes each, doubled), so they
 * are refused (RangeError) for frames longer than {@link MAX_PAIR_SEARCH_BITS}.
 */
export function smallestUndetectedWeight(syndromes: Uint32Array, maxWeight: number): WeightSearch {
  const n = syndromes.length;
  if (maxWeight >= 4 && n > MAX_PAIR_SEARCH_BITS) {
    throw new RangeError(`a weight-4 search over ${n} bits needs too much memory`);
  }
  for (let i = 0; i < n; i++) if (syndromes[i] === 0) return { allDetectedUpTo: 0, example: [i] };
  if (maxWeight < 2) return { allDetectedUpTo: 1 };
  const singles = new U32Map(n);
  for (let i = 0; i < n; i++) {
    const j = singles.setIfAbsent(syndromes[i]!, i);
    if (j !== i) return { allDetectedUpTo: 1, example: [j, i] };
  }
  if (maxWeight < 3) return { allDetectedUpTo: 2 };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const k = singles.get((syndromes[i]! ^ syndromes[j]!) >>> 0);
      if (k >= 0) return { allDetectedUpTo: 2, example: [i, j, k].sort((x, y) => x - y) };
    }
  }
  if (maxWeight < 4) return { allDetectedUpTo: 3 };
  // Weight 4: two disjoint pairs with equal XOR (pairs sharing a bit would mean weight ≤ 2).
  const pairs = new U32Map((n * (n - 1)) / 2);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const code = i * n + j;
      const other = pairs.setIfAbsent((syndromes[i]! ^ syndromes[j]!) >>> 0, code);
      if (other !== code) {
        const example = [i, j, Math.floor(other / n), other % n].sort((x, y) => x - y);
        return { allDetectedUpTo: 3, example };
      }
    }
  }
  if (maxWeight < 5) return { allDetectedUpTo: 4 };
  // Weight 5: a triple whose XOR is some pair's (overlap would mean weight ≤ 3, excluded above).
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const ij = syndromes[i]! ^ syndromes[j]!;
      for (let k = j + 1; k < n; k++) {
        const code = pairs.get((ij ^ syndromes[k]!) >>> 0);
        if (code >= 0) {
          const example = [i, j, k, Math.floor(code / n), code % n].sort((x, y) => x - y);
          return { allDetectedUpTo: 4, example };
        }
      }
    }
  }
  return { allDetectedUpTo: 5 };
}

/**
 * Whether every burst of at most `lengthBits` (≤ 32) bits anywhere in the frame is detected:
 * true when the syndromes of every `lengthBits` consecutive bits are linearly independent, so no
 * non-empty subset of them XORs to zero. Returns the first window start that fails, or -1.
 */
export function firstWeakBurstWindow(syndromes: Uint32Array, lengthBits: number): number {
  for (let start = 0; start + lengthBits <= syndromes.length; start++) {
    const basis = new Uint32Array(32);
    for (let k = 0; k < lengthBits; k++) {
      if (reduce(basis, syndromes[start + k]!) === 0) return start;
    }
  }
  return -1;
}

/** Inserts `v` into a GF(2) basis indexed by leading bit; returns what is left (0: dependent). */
function reduce(basis: Uint32Array, v: number): number {
  for (let bit = 31; bit >= 0 && v !== 0; bit--) {
    if (((v >>> bit) & 1) === 0) continue;
    const b = basis[bit]!;
    if (b === 0) {
      basis[bit] = v;
      return v;
    }
    v = (v ^ b) >>> 0;
  }
  return v;
}

/**
 * An undetected burst of exactly `lengthBits` (33 for a 32-bit CRC) starting at `start`: the
 * bits between the two ends whose syndromes, with the ends', XOR to zero. Undefined when there is
 * none (the ends' combination is not in the span of the bits between).
 */
export function undetectedBurstAt(
  syndromes: Uint32Array,
  start: number,
  lengthBits: number,
): number[] | undefined {
  // Gaussian elimination that remembers which window bits make up each basis vector.
  const basis: { value: number; members: number[] }[] = [];
  for (let k = 1; k < lengthBits - 1; k++) {
    let value = syndromes[start + k]!;
    let members = [start + k];
    for (const b of basis) {
      if ((value ^ b.value) >>> 0 < value) {
        value = (value ^ b.value) >>> 0;
        members = symmetricDifference(members, b.members);
      }
    }
    if (value !== 0) {
      basis.push({ value, members });
      basis.sort((x, y) => y.value - x.value);
    }
  }
  let target = (syndromes[start]! ^ syndromes[start + lengthBits - 1]!) >>> 0;
  let members: number[] = [];
  for (const b of basis) {
    if ((target ^ b.value) >>> 0 < target) {
      target = (target ^ b.value) >>> 0;
      members = symmetricDifference(members, b.members);
    }
  }
  if (target !== 0) return undefined;
  return [start, ...members.sort((x, y) => x - y), start + lengthBits - 1];
}

function symmetricDifference(a: readonly number[], b: readonly number[]): number[] {
  const out = a.filter((x) => !b.includes(x));
  for (const x of b) if (!a.includes(x)) out.push(x);
  return out;
}

/** Syndromes renumbered for most-significant-bit-first transmission within each byte. */
export function msbFirstOrder(syndromes: Uint32Array): Uint32Array {
  const out = new Uint32Array(syndromes.length);
  for (let p = 0; p < syndromes.length; p++) out[p] = syndromes[(p & ~7) | (7 - (p & 7))]!;
  return out;
}
