/**
 * Fletcher's checksums (J. G. Fletcher, 1982; RFC 1146 "TCP Alternate Checksum Options"): two
 * running sums, `A = Σ blockᵢ` and `B = Σ Aᵢ`, modulo 2^n − 1. `B` weighs each block by its
 * distance from the end, so unlike a plain sum the checksum sees the order of the blocks.
 *
 * - Fletcher-16: 8-bit blocks (bytes), modulo 255, value `B · 2^8 + A`.
 * - Fletcher-32: 16-bit blocks, modulo 65535, value `B · 2^16 + A`. Blocks are big-endian words
 *   (network order, as RFC 1146 sums TCP segments); an odd final byte is padded with a zero byte.
 *   Published vectors computed on little-endian machines apply after swapping each byte pair.
 *
 * Sums are kept in range by reducing once per block of bytes rather than per byte (the modulo is
 * deferred as far as JavaScript's exact integers allow).
 *
 * Detection (Maxino & Koopman 2009 §3.4): every single-bit error; every 2-bit error while the
 * message is shorter than the modulus in blocks (Fletcher-16: 255 bytes; beyond that two
 * compensating flips 255 bytes apart cancel); every burst shorter than half the checksum width.
 * Modulo 2^n − 1 has two zeros, so a block 0x00 ↔ 0xFF (0x0000 ↔ 0xFFFF) goes unseen, and the
 * 3-block change (+1, −2, +1) cancels in both sums.
 */
import type { ChecksumAlgorithm, Checksummer } from "./types.js";

/** Running state: the two sums, and a pending high byte of a split 16-bit word. */
interface State {
  a: number;
  b: number;
  /** Fletcher-32 only: the first byte of an incomplete word, or -1. */
  pending: number;
}

/**
 * Bytes per reduction for Fletcher-16: with n bytes, B grows by at most 255·n(n+1)/2 + 254·n,
 * under 2^31 for n = 4096, so every intermediate is an exact small integer.
 */
const F16_BLOCK = 4096;

function update16(s: State, d: Uint8Array): void {
  let a = s.a;
  let b = s.b;
  for (let start = 0; start < d.length; start += F16_BLOCK) {
    const end = Math.min(d.length, start + F16_BLOCK);
    for (let i = start; i < end; i++) {
      a += d[i]!;
      b += a;
    }
    a %= 255;
    b %= 255;
  }
  s.a = a;
  s.b = b;
}

/**
 * Words per reduction for Fletcher-32: B grows by at most 65535·n(n+1)/2 + 65534·n, under 2^53
 * (exact in a double) for n = 2^18.
 */
const F32_BLOCK_WORDS = 1 << 18;

function update32(s: State, d: Uint8Array): void {
  let a = s.a;
  let b = s.b;
  let i = 0;
  if (s.pending >= 0 && d.length > 0) {
    a += s.pending * 256 + d[0]!;
    b += a;
    s.pending = -1;
    i = 1;
  }
  const wordsEnd = i + ((d.length - i) & ~1);
  while (i < wordsEnd) {
    const end = Math.min(wordsEnd, i + 2 * F32_BLOCK_WORDS);
    for (; i < end; i += 2) {
      a += (d[i]! << 8) | d[i + 1]!;
      b += a;
    }
    a %= 65535;
    b %= 65535;
  }
  if (i < d.length) s.pending = d[i]!;
  s.a = a;
  s.b = b;
}

function digest16(s: State): number {
  return (s.b % 255) * 256 + (s.a % 255);
}

function digest32(s: State): number {
  let a = s.a;
  let b = s.b;
  if (s.pending >= 0) {
    // The odd final byte, zero-padded; the state itself stays open for more bytes.
    a += s.pending * 256;
    b += a;
  }
  return (b % 65535) * 65536 + (a % 65535);
}

function streaming(update: (s: State, d: Uint8Array) => void, digest: (s: State) => number) {
  return (): Checksummer => {
    const state: State = { a: 0, b: 0, pending: -1 };
    const self: Checksummer = {
      update(data) {
        update(state, data);
        return self;
      },
      digest: () => digest(state),
    };
    return self;
  };
}

/** Fletcher-16 of `data`: `B · 256 + A`, sums of bytes mod 255. */
export function fletcher16(data: Uint8Array): number {
  const s: State = { a: 0, b: 0, pending: -1 };
  update16(s, data);
  return digest16(s);
}

/** Fletcher-32 of `data`: `B · 65536 + A`, sums of 16-bit big-endian words mod 65535. */
export function fletcher32(data: Uint8Array): number {
  const s: State = { a: 0, b: 0, pending: -1 };
  update32(s, data);
  return digest32(s);
}

/** Incremental {@link fletcher16}. */
export const createFletcher16 = streaming(update16, digest16);
/** Incremental {@link fletcher32}; updates may split words anywhere. */
export const createFletcher32 = streaming(update32, digest32);

/** {@link fletcher16} as a {@link ChecksumAlgorithm}. */
export const FLETCHER16: ChecksumAlgorithm = {
  name: "fletcher16",
  title: "Fletcher-16 (mod 255)",
  reference: "RFC 1146",
  widthBits: 16,
  checkByteOrder: "big-endian",
  compute: fletcher16,
  create: createFletcher16,
};

/** {@link fletcher32} as a {@link ChecksumAlgorithm}. */
export const FLETCHER32: ChecksumAlgorithm = {
  name: "fletcher32",
  title: "Fletcher-32 (mod 65535)",
  reference: "RFC 1146",
  widthBits: 32,
  checkByteOrder: "big-endian",
  compute: fletcher32,
  create: createFletcher32,
};
