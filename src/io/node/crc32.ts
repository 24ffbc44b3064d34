/**
 * The CRC-32 that Lupine's transport checksums datagrams with in production: the pure
 * slice-by-8 one of `reliable/checksum.ts` below {@link NATIVE_MIN_BYTES} (no call into native
 * code, no view of the datagram), `zlib.crc32` (native, Node ≥ 20.15 / 22.2) from there on, and
 * the pure one throughout where `zlib.crc32` is missing.
 */
import * as zlib from "node:zlib";
import { crc32 as pureCrc32 } from "../../reliable/checksum.js";
import type { ChecksumFn } from "../../reliable/packet.js";

type ZlibCrc = (data: Uint8Array, value?: number) => number;
const native = (zlib as unknown as { crc32?: ZlibCrc }).crc32;

/**
 * Ranges shorter than this are checksummed in JavaScript: below it the native call (argument
 * checks, the crossing into C++, a view of the range) costs more than the table lookups.
 */
export const NATIVE_MIN_BYTES = 512;

/** CRC-32 (IEEE) of `data[start, end)`, chaining like `zlib.crc32(data, value)`. */
export const nodeCrc32: ChecksumFn =
  native === undefined
    ? pureCrc32
    : (data, previous = 0, start = 0, end = data.length) =>
        end - start < NATIVE_MIN_BYTES
          ? pureCrc32(data, previous, start, end)
          : native(start === 0 && end === data.length ? data : data.subarray(start, end), previous);
