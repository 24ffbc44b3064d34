/**
 * Per-datagram checksums. The transport takes the function by injection (`ChecksumFn`): in
 * production `io/node/crc32.ts` (CRC-32, IEEE 802.3 polynomial: this module's for small inputs,
 * `zlib.crc32`'s native code for large ones); this module provides a pure table-driven CRC-32
 * with the same results, for environments without `zlib.crc32` and for tests. Why CRC-32 and not
 * CRC-32C (docs/checksums.md, measured by `lupine checksums`): both catch every burst up to 32
 * bits; CRC-32C's Hamming distance is higher at some lengths (all errors of up to 5 bits up to 655
 * bytes; CRC-32: up to 4 or 3), the same from 656 bytes to 11 KiB; the native CRC-32 is 2.6–3.6×
 * faster than a pure-JS CRC-32C from 1500 bytes up, and no native CRC-32C is available to Node
 * without an addon.
 *
 * Slice-by-8 (table k maps a byte to the CRC of that byte followed by k zero bytes, so 8 input
 * bytes advance the register with 8 independent lookups), over a byte range of the input: a
 * datagram's checksum skips its own checksum field, and taking ranges instead of `subarray`
 * views allocates nothing — for the small datagrams of small calls this is faster than a call
 * into native code (docs/checksums.md, "The transport uses CRC-32").
 */
import type { ChecksumFn } from "./packet.js";

const SLICES = 8;

const TABLES = (() => {
  const t = new Int32Array(256 * SLICES);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < SLICES; k++) {
      const previous = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (previous >>> 8) ^ t[previous & 0xff]!;
    }
  }
  return t;
})();

/**
 * CRC-32 (ISO-HDLC, reflected 0xEDB88320) of `data[start, end)`, chaining like zlib:
 * `crc32(b, crc32(a)) = crc32(a‖b)`; `crc32("123456789") === 0xCBF43926`.
 */
export const crc32: ChecksumFn = (data, previous = 0, start = 0, end = data.length) => {
  const t = TABLES;
  let c = ~previous;
  let i = start;
  for (const stop = start + ((end - start) & ~7); i < stop; i += 8) {
    const a = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
  }
  for (; i < end; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
};
