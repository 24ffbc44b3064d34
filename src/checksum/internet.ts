/**
 * The Internet checksum (RFC 1071): the 16-bit ones'-complement of the ones'-complement sum of
 * the message's 16-bit big-endian words; an odd final byte is padded with a zero byte (§1).
 *
 * Computed as RFC 1071 §2 allows: the sum is independent of byte order and of how the words are
 * grouped, and the end-around carries may be deferred (§2(B), (C)), so the bytes are summed in
 * two lanes and folded once. The ones'-complement sum is the sum modulo 2^16 − 1, except that it
 * is 0x0000 only when every word is zero (0xFFFF, "negative zero", otherwise).
 *
 * Detection (Maxino & Koopman 2009 §3.3): every single-bit error and every burst of at most 15
 * bits; the end-around carry makes it better than {@link sum16}, but a 0→1 and a 1→0 flip in the
 * same bit column of two words still cancel, and a word 0x0000 ↔ 0xFFFF goes unseen.
 */
import { LaneSums } from "./lanes.js";
import type { ChecksumAlgorithm, Checksummer } from "./types.js";

const MODULI = [0xffff, 0xffff];

function digest(s: LaneSums): number {
  if (!s.nonZero) return 0xffff; // the complement of a sum of zero words
  const sum = (s.lanes[0]! * 256 + s.lanes[1]!) % 0xffff;
  return sum === 0 ? 0x0000 : ~sum & 0xffff; // sum 0 ≡ 0xFFFF, whose complement is 0x0000
}

/** The RFC 1071 Internet checksum of `data` (the value IP, UDP and TCP put in their header). */
export function internetChecksum(data: Uint8Array): number {
  return digest(new LaneSums(2, MODULI).add(data));
}

/** Incremental {@link internetChecksum}; updates may split words anywhere. */
export function createInternetChecksum(): Checksummer {
  const sums = new LaneSums(2, MODULI);
  const self: Checksummer = {
    update(data) {
      sums.add(data);
      return self;
    },
    digest: () => digest(sums),
  };
  return self;
}

/** {@link internetChecksum} as a {@link ChecksumAlgorithm}. */
export const INTERNET: ChecksumAlgorithm = {
  name: "internet",
  title: "Internet checksum (ones' complement)",
  reference: "RFC 1071",
  widthBits: 16,
  checkByteOrder: "big-endian",
  compute: internetChecksum,
  create: createInternetChecksum,
};
