/**
 * Per-datagram checksums. The transport takes the function by injection (`ChecksumFn`): in
 * production `zlib.crc32` from `io/node/crc32.ts` (CRC-32, IEEE 802.3 polynomial, computed in
 * native code); this module provides a pure table-driven CRC-32 with the same results, for
 * environments without `zlib.crc32` and for tests. See docs/protocol.md "Integrity" for why
 * CRC-32 and not CRC-32C: same single-burst and Hamming-distance guarantees at datagram sizes
 * (Koopman), and the native CRC-32 is an order of magnitude faster than any pure-JS CRC-32C here.
 */
import type { ChecksumFn } from "./packet.js";

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, reflected 0xEDB88320), chaining like zlib: `crc32(b, crc32(a)) = crc32(a‖b)`. */
export const crc32: ChecksumFn = (data, previous = 0) => {
  let c = ~previous;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
};
