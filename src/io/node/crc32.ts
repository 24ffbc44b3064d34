/**
 * The CRC-32 that Lupine's transport checksums datagrams with in production: `zlib.crc32`
 * (native, Node ≥ 20.15 / 22.2), falling back to the pure table-driven one where it is missing.
 */
import * as zlib from "node:zlib";
import { crc32 as pureCrc32 } from "../../reliable/checksum.js";
import type { ChecksumFn } from "../../reliable/packet.js";

type ZlibCrc = (data: Uint8Array, value?: number) => number;
const native = (zlib as unknown as { crc32?: ZlibCrc }).crc32;

/** CRC-32 (IEEE), chaining like `zlib.crc32(data, value)`. */
export const nodeCrc32: ChecksumFn =
  native === undefined ? pureCrc32 : (data, previous = 0) => native(data, previous);
