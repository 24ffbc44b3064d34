/**
 * Additive (two's complement) checksums: the sum of the message's 8-, 16- or 32-bit big-endian
 * words modulo 2^8, 2^16 or 2^32; a trailing partial word is padded with zero bytes.
 *
 * The weakest checksums of the study, kept as its baseline (Maxino & Koopman 2009, §3.2: "two's
 * complement addition checksum"): the carry out of the top bit is lost, so two flips of the most
 * significant bit of two words cancel, and a 0→1 and a 1→0 flip in the same bit column of two
 * words cancel; word order is invisible. They detect every single-bit error and every burst of
 * at most `width` bits.
 */
import { LaneSums } from "./lanes.js";
import type { ChecksumAlgorithm, Checksummer } from "./types.js";

const MODULI_8 = [2 ** 8];
const MODULI_16 = [2 ** 8, 2 ** 16];
// Lane k is multiplied by 256^(3-k) mod 2^32, so only its value mod 2^(8(k+1)) matters.
const MODULI_32 = [2 ** 8, 2 ** 16, 2 ** 24, 2 ** 32];

function digest8(s: LaneSums): number {
  return s.lanes[0]! % 256;
}

function digest16(s: LaneSums): number {
  return (s.lanes[0]! * 256 + s.lanes[1]!) % 65536;
}

function digest32(s: LaneSums): number {
  const l = s.lanes;
  return (l[0]! * 2 ** 24 + l[1]! * 2 ** 16 + l[2]! * 256 + l[3]!) % 2 ** 32;
}

function streaming(width: 1 | 2 | 4, moduli: number[], digest: (s: LaneSums) => number) {
  return (): Checksummer => {
    const sums = new LaneSums(width, moduli);
    const self: Checksummer = {
      update(data) {
        sums.add(data);
        return self;
      },
      digest: () => digest(sums),
    };
    return self;
  };
}

/** Sum of the bytes mod 2^8. */
export function sum8(data: Uint8Array): number {
  return digest8(new LaneSums(1, MODULI_8).add(data));
}

/** Sum of the 16-bit big-endian words mod 2^16 (odd length: zero-padded). */
export function sum16(data: Uint8Array): number {
  return digest16(new LaneSums(2, MODULI_16).add(data));
}

/** Sum of the 32-bit big-endian words mod 2^32 (zero-padded to a multiple of 4 bytes). */
export function sum32(data: Uint8Array): number {
  return digest32(new LaneSums(4, MODULI_32).add(data));
}

/** Incremental {@link sum8}. */
export const createSum8 = streaming(1, MODULI_8, digest8);
/** Incremental {@link sum16}; updates may split words anywhere. */
export const createSum16 = streaming(2, MODULI_16, digest16);
/** Incremental {@link sum32}; updates may split words anywhere. */
export const createSum32 = streaming(4, MODULI_32, digest32);

const common = {
  reference: "Maxino & Koopman 2009 §3.2",
  checkByteOrder: "big-endian",
} as const;

/** {@link sum8} as a {@link ChecksumAlgorithm}. */
export const SUM8: ChecksumAlgorithm = {
  ...common,
  name: "sum8",
  title: "8-bit additive sum",
  widthBits: 8,
  compute: sum8,
  create: createSum8,
};

/** {@link sum16} as a {@link ChecksumAlgorithm}. */
export const SUM16: ChecksumAlgorithm = {
  ...common,
  name: "sum16",
  title: "16-bit additive sum",
  widthBits: 16,
  compute: sum16,
  create: createSum16,
};

/** {@link sum32} as a {@link ChecksumAlgorithm}. */
export const SUM32: ChecksumAlgorithm = {
  ...common,
  name: "sum32",
  title: "32-bit additive sum",
  widthBits: 32,
  compute: sum32,
  create: createSum32,
};
