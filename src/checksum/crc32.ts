/**
 * CRC-32 (IEEE 802.3, the zlib/gzip/PNG/Ethernet CRC) and CRC-32C (Castagnoli; iSCSI RFC 3720
 * §12.1 and §B.4, SCTP RFC 3309), table-driven, slice-by-16.
 *
 * Both are "reflected" CRCs: bits are taken least-significant first (the order in which
 * Ethernet sends them), the register starts at 0xFFFFFFFF and the result is complemented.
 * Reflected polynomials: 0xEDB88320 (x^32 + x^26 + x^23 + … + 1, IEEE) and 0x82F63B78 (iSCSI).
 *
 * Slice-by-16: table k maps a byte to the CRC of that byte followed by k zero bytes, so 16 input
 * bytes advance the register with 16 independent lookups XORed together instead of 16 dependent
 * ones. On a little-endian host, long inputs are read as 32-bit words through an `Int32Array`
 * view of their aligned middle. `lupine checksums` measures the speed against `zlib.crc32`.
 *
 * Detection (for a CRC of degree 32 with a non-zero x^0 term): every burst of at most 32 bits,
 * bits counted in the reflected (least-significant first) order and the CRC appended
 * little-endian; and, by message length, every error of up to HD − 1 bits (CRC-32C's polynomial
 * is divisible by x + 1, so it also detects every odd number of flipped bits; CRC-32's is not).
 */
import type { ChecksumAlgorithm, Checksummer } from "./types.js";

/** How many 256-entry tables: bytes consumed per step of the main loop. */
const SLICES = 16;

/** Builds the `SLICES` lookup tables, back to back, for a reflected polynomial. */
export function buildCrcTables(reflectedPolynomial: number): Uint32Array {
  const t = new Uint32Array(256 * SLICES);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reflectedPolynomial : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < SLICES; k++) {
      const previous = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (previous >>> 8) ^ t[previous & 0xff]!;
    }
  }
  return t;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Inputs at least this long are read through an aligned `Int32Array` view. */
const WORD_VIEW_MIN_BYTES = 256;

function bytewise(t: Uint32Array, crc: number, d: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) crc = (crc >>> 8) ^ t[(crc ^ d[i]!) & 0xff]!;
  return crc;
}

/** Advances the register over 16 bytes given as four little-endian words. */
function step16(t: Uint32Array, a: number, b: number, c: number, e: number): number {
  return (
    t[3840 + (a & 0xff)]! ^
    t[3584 + ((a >>> 8) & 0xff)]! ^
    t[3328 + ((a >>> 16) & 0xff)]! ^
    t[3072 + (a >>> 24)]! ^
    t[2816 + (b & 0xff)]! ^
    t[2560 + ((b >>> 8) & 0xff)]! ^
    t[2304 + ((b >>> 16) & 0xff)]! ^
    t[2048 + (b >>> 24)]! ^
    t[1792 + (c & 0xff)]! ^
    t[1536 + ((c >>> 8) & 0xff)]! ^
    t[1280 + ((c >>> 16) & 0xff)]! ^
    t[1024 + (c >>> 24)]! ^
    t[768 + (e & 0xff)]! ^
    t[512 + ((e >>> 8) & 0xff)]! ^
    t[256 + ((e >>> 16) & 0xff)]! ^
    t[e >>> 24]!
  );
}

function sliced(t: Uint32Array, crc: number, d: Uint8Array, i: number, end: number): number {
  const stop = i + ((end - i) & ~15);
  for (; i < stop; i += 16) {
    crc = step16(
      t,
      crc ^ (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24)),
      d[i + 4]! | (d[i + 5]! << 8) | (d[i + 6]! << 16) | (d[i + 7]! << 24),
      d[i + 8]! | (d[i + 9]! << 8) | (d[i + 10]! << 16) | (d[i + 11]! << 24),
      d[i + 12]! | (d[i + 13]! << 8) | (d[i + 14]! << 16) | (d[i + 15]! << 24),
    );
  }
  return bytewise(t, crc, d, i, end);
}

function wordView(t: Uint32Array, crc: number, d: Uint8Array): number {
  const head = (4 - (d.byteOffset & 3)) & 3;
  crc = bytewise(t, crc, d, 0, head);
  const words = ((d.length - head) >>> 4) << 2;
  const w = new Int32Array(d.buffer, d.byteOffset + head, words);
  for (let j = 0; j < words; j += 4) crc = step16(t, crc ^ w[j]!, w[j + 1]!, w[j + 2]!, w[j + 3]!);
  return bytewise(t, crc, d, head + words * 4, d.length);
}

/** Runs the register (already complemented) over `d`. */
function run(t: Uint32Array, crc: number, d: Uint8Array): number {
  if (LITTLE_ENDIAN_HOST && d.length >= WORD_VIEW_MIN_BYTES) return wordView(t, crc, d);
  return sliced(t, crc, d, 0, d.length);
}

const IEEE_TABLES = buildCrcTables(0xedb88320);
const CASTAGNOLI_TABLES = buildCrcTables(0x82f63b78);

/**
 * CRC-32 (IEEE) of `data`; `crc32("123456789") === 0xCBF43926`. `value` continues a previous
 * computation, as `zlib.crc32(data, value)` does: `crc32(b, crc32(a)) === crc32(a ‖ b)`.
 */
export function crc32(data: Uint8Array, value = 0): number {
  return ~run(IEEE_TABLES, ~value, data) >>> 0;
}

/**
 * CRC-32C (Castagnoli) of `data`; `crc32c("123456789") === 0xE3069283`. `value` continues a
 * previous computation: `crc32c(b, crc32c(a)) === crc32c(a ‖ b)`.
 */
export function crc32c(data: Uint8Array, value = 0): number {
  return ~run(CASTAGNOLI_TABLES, ~value, data) >>> 0;
}

function streaming(fn: (data: Uint8Array, value: number) => number) {
  return (): Checksummer => {
    let value = 0;
    const self: Checksummer = {
      update(data) {
        value = fn(data, value);
        return self;
      },
      digest: () => value,
    };
    return self;
  };
}

/** Incremental {@link crc32}. */
export const createCrc32 = streaming(crc32);
/** Incremental {@link crc32c}. */
export const createCrc32c = streaming(crc32c);

/** {@link crc32} as a {@link ChecksumAlgorithm}. */
export const CRC32: ChecksumAlgorithm = {
  name: "crc32",
  title: "CRC-32 (IEEE 802.3)",
  reference: "IEEE 802.3; RFC 1952 §8",
  widthBits: 32,
  checkByteOrder: "little-endian",
  compute: (data) => crc32(data),
  create: createCrc32,
};

/** {@link crc32c} as a {@link ChecksumAlgorithm}. */
export const CRC32C: ChecksumAlgorithm = {
  name: "crc32c",
  title: "CRC-32C (Castagnoli)",
  reference: "RFC 3720 §12.1, §B.4; RFC 3309",
  widthBits: 32,
  checkByteOrder: "little-endian",
  compute: (data) => crc32c(data),
  create: createCrc32c,
};
