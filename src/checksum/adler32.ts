/**
 * Adler-32 (RFC 1950 §8.2 and §9, the zlib checksum): Fletcher's two sums over bytes, modulo the
 * prime 65521, with `s1` starting at 1; value `s2 · 65536 + s1`.
 *
 * The sums are reduced once per block of bytes (RFC 1950 §9 notes the deferral; this block
 * keeps every intermediate under 2^31): with n bytes, s2 grows by at most
 * 255·n(n+1)/2 + 65520·(n+1), under 2^31 for n = 3800.
 *
 * Detection (Maxino & Koopman 2009 §3.5; RFC 3309 §1): like Fletcher-32 but weaker on short
 * messages: s1 of a message of n bytes is at most 1 + 255·n, so for packets of a few hundred
 * bytes it never wraps and its values crowd a small part of the range; SCTP replaced it with
 * CRC-32C for that reason (RFC 3309).
 */
import type { ChecksumAlgorithm, Checksummer } from "./types.js";

const MOD = 65521;
const BLOCK = 3800;

/**
 * Adler-32 of `data`. `value` continues a previous computation: `adler32(b, adler32(a))` equals
 * `adler32(a ‖ b)`; the default 1 starts a new one.
 */
export function adler32(data: Uint8Array, value = 1): number {
  let s1 = value & 0xffff;
  let s2 = value >>> 16;
  for (let start = 0; start < data.length; start += BLOCK) {
    const end = Math.min(data.length, start + BLOCK);
    for (let i = start; i < end; i++) {
      s1 += data[i]!;
      s2 += s1;
    }
    s1 %= MOD;
    s2 %= MOD;
  }
  return s2 * 65536 + s1;
}

/** Incremental {@link adler32}. */
export function createAdler32(): Checksummer {
  let value = 1;
  const self: Checksummer = {
    update(data) {
      value = adler32(data, value);
      return self;
    },
    digest: () => value,
  };
  return self;
}

/** {@link adler32} as a {@link ChecksumAlgorithm}. */
export const ADLER32: ChecksumAlgorithm = {
  name: "adler32",
  title: "Adler-32 (mod 65521)",
  reference: "RFC 1950",
  widthBits: 32,
  checkByteOrder: "big-endian",
  compute: (data) => adler32(data),
  create: createAdler32,
};
