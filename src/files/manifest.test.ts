/** Manifest arithmetic and validation of a peer's manifest. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isFileTransferError, STATUS_NAMES } from "./errors.js";
import {
  checkManifest,
  chooseChunkBytes,
  chunkCount,
  chunkRange,
  fromBitmap,
  hex,
  toBitmap,
} from "./manifest.js";

const d32 = () => new Uint8Array(32);

describe("manifest", () => {
  test("chunk size: 64 KiB until a file needs more than 16384 chunks, then doubled", () => {
    assert.equal(chooseChunkBytes(0), 65536);
    assert.equal(chooseChunkBytes(16384 * 65536), 65536);
    assert.equal(chooseChunkBytes(16384 * 65536 + 1), 131072);
    assert.equal(chooseChunkBytes(10, 4096), 4096);
    assert.throws(() => chooseChunkBytes(10, 5000), RangeError);
    assert.throws(
      () => chooseChunkBytes(2 ** 41),
      (e) => isFileTransferError(e) && STATUS_NAMES[e.status] === "too_big",
    );
  });
  test("chunk ranges cover the file exactly", () => {
    const m = { size: 10_000, chunkBytes: 4096 };
    assert.equal(chunkCount(m.size, m.chunkBytes), 3);
    assert.deepEqual(chunkRange(m, 0), { offset: 0, length: 4096 });
    assert.deepEqual(chunkRange(m, 2), { offset: 8192, length: 1808 });
  });
  test("bitmaps round-trip, least significant bit first", () => {
    const set = new Set([0, 3, 8, 15, 16]);
    const b = toBitmap(set, 17);
    assert.deepEqual([...b], [0b0000_1001, 0b1000_0001, 0b0000_0001]);
    assert.deepEqual(fromBitmap(b, 17), set);
    assert.deepEqual(fromBitmap(b, 9), new Set([0, 3, 8]));
  });
  test("hex", () => {
    assert.equal(hex(new Uint8Array([0, 15, 255])), "000fff");
  });
  const bad: [string, Parameters<typeof checkManifest>[0], string][] = [
    [
      "size beyond 2^53",
      { size: 2n ** 60n, chunk_bytes: 65536, digest: d32(), chunks: [] },
      "too_big",
    ],
    [
      "chunk not a power of two",
      { size: 1n, chunk_bytes: 5000, digest: d32(), chunks: [d32()] },
      "bad_manifest",
    ],
    [
      "chunk too small",
      { size: 1n, chunk_bytes: 1024, digest: d32(), chunks: [d32()] },
      "bad_manifest",
    ],
    [
      "digest count",
      { size: 70_000n, chunk_bytes: 65536, digest: d32(), chunks: [d32()] },
      "bad_manifest",
    ],
    [
      "short digest",
      { size: 0n, chunk_bytes: 65536, digest: new Uint8Array(3), chunks: [] },
      "bad_manifest",
    ],
  ];
  for (const [what, m, want] of bad) {
    test(`a peer's manifest with ${what} is refused (${want})`, () => {
      assert.throws(
        () => checkManifest(m),
        (e) => isFileTransferError(e) && STATUS_NAMES[e.status] === want,
      );
    });
  }
  test("a consistent manifest is accepted", () => {
    const m = checkManifest({
      size: 70_000n,
      chunk_bytes: 65536,
      digest: d32(),
      chunks: [d32(), d32()],
    });
    assert.equal(m.size, 70_000);
  });
});
