import assert from "node:assert/strict";
import { test } from "node:test";
import * as zlib from "node:zlib";
import { crc32 } from "../../reliable/checksum.js";
import { datagramChecksum } from "../../reliable/packet.js";
import { NATIVE_MIN_BYTES, nodeCrc32 } from "./crc32.js";

test("nodeCrc32 agrees with the pure CRC-32 below and above the native threshold", () => {
  const data = new Uint8Array(3 * NATIVE_MIN_BYTES);
  for (let i = 0; i < data.length; i++) data[i] = (i * 89 + 7) & 0xff;
  for (const length of [
    0,
    1,
    7,
    100,
    NATIVE_MIN_BYTES - 1,
    NATIVE_MIN_BYTES,
    2 * NATIVE_MIN_BYTES,
  ]) {
    for (const start of [0, 3]) {
      const end = start + length;
      assert.equal(
        nodeCrc32(data, 99, start, end),
        crc32(data, 99, start, end),
        `[${start}, ${end})`,
      );
    }
  }
  assert.equal(nodeCrc32(data), crc32(data));
});

test("a datagram's checksum skips its checksum field, whichever way it is computed", () => {
  const native = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  for (const bytes of [60, 2000]) {
    const d = new Uint8Array(bytes);
    for (let i = 0; i < d.length; i++) d[i] = (i * 31) & 0xff;
    const v = datagramChecksum(d, nodeCrc32);
    assert.equal(datagramChecksum(d, crc32), v);
    if (native !== undefined) assert.equal(native(d.subarray(8), native(d.subarray(0, 4))), v);
    d[5] = 0xff - (d[5] ?? 0); // the checksum field itself is not covered
    assert.equal(datagramChecksum(d, nodeCrc32), v);
  }
});
