/**
 * What every checksum of `src/checksum/` looks like to its users: the reliable layer (one
 * algorithm, fixed at build time), the study (`lupine checksums`, all of them side by side) and
 * tests.
 *
 * Values are unsigned integers of `widthBits` bits (`0 ≤ value < 2 ** widthBits`), computed over
 * bytes (`Uint8Array`, so a Node `Buffer` works too). All of them are pure and synchronous.
 */

/** The short names used on the command line and in the study's tables. */
export type ChecksumName =
  | "sum8"
  | "sum16"
  | "sum32"
  | "internet"
  | "fletcher16"
  | "fletcher32"
  | "adler32"
  | "crc32"
  | "crc32c";

/**
 * An incremental (streaming) computation: feed the bytes in any number of `update` calls, split
 * anywhere, then `digest()`; the result equals the one-shot value over the concatenation.
 * `digest()` does not end the stream: more updates may follow, and a later digest covers all bytes.
 */
export interface Checksummer {
  update(data: Uint8Array): Checksummer;
  digest(): number;
}

/** One checksum algorithm: how to compute it and how its value travels on the wire. */
export interface ChecksumAlgorithm {
  readonly name: ChecksumName;
  /** Human name, e.g. `CRC-32C (Castagnoli)`. */
  readonly title: string;
  /** Where it is specified, e.g. `RFC 1071`. */
  readonly reference: string;
  readonly widthBits: 8 | 16 | 32;
  /**
   * Byte order of the check value when appended to a message: network order (big-endian) for the
   * sums, as IP/TCP, RFC 1146 and RFC 1950 store them; little-endian for the reflected CRCs, as
   * Ethernet, zlib's gzip trailer and iSCSI (RFC 3720 §B.4) do, which makes message + CRC one
   * codeword of the polynomial code when sent least-significant bit first.
   */
  readonly checkByteOrder: "big-endian" | "little-endian";
  /** The value over `data`. */
  compute(data: Uint8Array): number;
  /** A fresh incremental computation. */
  create(): Checksummer;
}

/** Writes `value` as the check field of `algorithm` (its width and byte order) at `offset`. */
export function writeCheck(
  algorithm: ChecksumAlgorithm,
  value: number,
  out: Uint8Array,
  offset: number,
): void {
  const bytes = algorithm.widthBits / 8;
  for (let i = 0; i < bytes; i++) {
    const shift = algorithm.checkByteOrder === "big-endian" ? 8 * (bytes - 1 - i) : 8 * i;
    out[offset + i] = (value >>> shift) & 0xff;
  }
}

/** Reads the check field written by {@link writeCheck}. */
export function readCheck(algorithm: ChecksumAlgorithm, data: Uint8Array, offset: number): number {
  const bytes = algorithm.widthBits / 8;
  let value = 0;
  for (let i = 0; i < bytes; i++) {
    const shift = algorithm.checkByteOrder === "big-endian" ? 8 * (bytes - 1 - i) : 8 * i;
    value += (data[offset + i] ?? 0) * 2 ** shift;
  }
  return value;
}
