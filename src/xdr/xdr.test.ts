import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as xdr from "./index.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("xdr primitives", () => {
  const cases: [string, xdr.XdrCodec<unknown>, unknown, string][] = [
    ["int", xdr.int, -1, "ffffffff"],
    ["int min", xdr.int, -0x80000000, "80000000"],
    ["uint", xdr.uint, 0xfffffffe, "fffffffe"],
    ["bool", xdr.bool, true, "00000001"],
    ["hyper", xdr.hyper, -2n, "fffffffffffffffe"],
    ["uhyper", xdr.uhyper, 2n ** 64n - 1n, "ffffffffffffffff"],
    ["float", xdr.float, 1.5, "3fc00000"],
    ["double", xdr.double, -0, "8000000000000000"],
    ["string", xdr.string(8), "abcde", "0000000561626364650000 00".replace(" ", "")],
    ["utf8", xdr.string(), "é", "00000002c3a90000"],
    ["opaque", xdr.opaque(4), Uint8Array.of(1, 2), "0000000201020000"],
    ["fixed opaque", xdr.fixedOpaque(3), Uint8Array.of(1, 2, 3), "01020300"],
    ["void", xdr.void, undefined, ""],
  ];
  for (const [name, codec, value, expected] of cases) {
    test(name, () => {
      const bytes = xdr.encode(codec, value);
      assert.equal(hex(bytes), expected);
      assert.deepEqual(xdr.decode(codec, bytes), value);
    });
  }

  test("range checks on encode", () => {
    assert.throws(() => xdr.encode(xdr.int, 2 ** 31), xdr.XdrError);
    assert.throws(() => xdr.encode(xdr.uint, -1), xdr.XdrError);
    assert.throws(() => xdr.encode(xdr.int, 1.5), xdr.XdrError);
    assert.throws(() => xdr.encode(xdr.hyper, 2n ** 63n), xdr.XdrError);
    assert.throws(() => xdr.encode(xdr.string(2), "abc"), /longer than its bound/);
  });

  test("bool rejects 2; padding must be zero", () => {
    assert.throws(() => xdr.decode(xdr.bool, Uint8Array.of(0, 0, 0, 2)), /bool must be 0 or 1/);
    assert.throws(
      () => xdr.decode(xdr.opaque(), Uint8Array.of(0, 0, 0, 1, 9, 0, 1, 0)),
      /padding byte is not zero/,
    );
  });
});

describe("xdr errors name the path and offset", () => {
  const fattr3 = xdr.struct("fattr3", { mode: xdr.uint, size: xdr.uhyper });
  test("short struct", () => {
    assert.throws(() => xdr.decode(fattr3, new Uint8Array(8)), {
      name: "XdrError",
      message: "fattr3.size: need 8 bytes at offset 4, have 4",
      offset: 4,
    });
  });
  test("array index in path", () => {
    const entry = xdr.struct("entry", { name: xdr.string(), size: xdr.uhyper });
    const list = xdr.struct("dir", { entries: xdr.array(entry, 10) });
    const bytes = new Uint8Array(28);
    const dv = new DataView(bytes.buffer);
    dv.setUint32(0, 2);
    dv.setUint32(4, 4);
    bytes.set([97, 98, 99, 100], 8);
    assert.throws(() => xdr.decode(list, bytes), {
      message: "dir.entries[1].size: need 8 bytes at offset 24, have 4",
    });
  });
  test("hostile length is refused before allocation", () => {
    const bytes = Uint8Array.of(0x7f, 0xff, 0xff, 0xff);
    assert.throws(() => xdr.decode(xdr.array(xdr.int), bytes), /needs at least/);
    assert.throws(() => xdr.decode(xdr.opaque(10), bytes), /exceeds its bound 10/);
  });
  // Found by fuzzing (xdr-combinators): elements of no bytes made any count "fit", so four bytes
  // allocated and looped over 2^32 - 1 elements (out of memory, or minutes of work).
  test("a count of zero-byte elements is bounded by the bytes left", () => {
    const huge = Uint8Array.of(0xff, 0xff, 0xff, 0xff);
    const elements: xdr.XdrCodec<unknown>[] = [
      xdr.void,
      xdr.fixedOpaque(0),
      xdr.struct("empty", {}),
    ];
    for (const element of elements) {
      assert.throws(() => xdr.decode(xdr.array(element), huge), /needs at least 4294967295 bytes/);
    }
    const three = xdr.encode(xdr.array(xdr.void), [undefined, undefined, undefined]);
    assert.throws(() => xdr.decode(xdr.array(xdr.void), three), /needs at least 3 bytes/);
    const padded = Uint8Array.of(0, 0, 0, 3, 0, 0, 0, 7);
    const r = new xdr.XdrReader(padded);
    assert.deepEqual(xdr.array(xdr.void).decode(r), [undefined, undefined, undefined]);
  });
});

describe("quadruple", () => {
  test("exact from/to number", () => {
    for (const n of [
      0,
      -0,
      1,
      -1.5,
      0.1,
      1e308,
      5e-324,
      2.2250738585072014e-308,
      Infinity,
      -Infinity,
    ]) {
      const q = xdr.Quadruple.fromNumber(n);
      assert.ok(Object.is(q.toNumber(), n), `round trip of ${n}`);
      assert.ok(Object.is(xdr.decode(xdr.quadruple, xdr.encode(xdr.quadruple, q)).toNumber(), n));
    }
    assert.ok(Number.isNaN(xdr.Quadruple.fromNumber(Number.NaN).toNumber()));
    assert.equal(xdr.Quadruple.fromNumber(1).toString(), "1");
    assert.equal(
      xdr.Quadruple.fromNumber(0.1).toString(),
      "0.1000000000000000055511151231257827021181583404541015625",
    );
    assert.equal(hex(xdr.Quadruple.fromNumber(1).bytes), "3fff0000000000000000000000000000");
  });
  test("rounds to nearest even", () => {
    // 1 + 2^-53 is a tie between 1 and 1 + 2^-52: rounds to 1.
    const q = xdr.Quadruple.fromParts(false, 16383, 1n << 59n);
    assert.equal(q.toNumber(), 1);
    const q2 = xdr.Quadruple.fromParts(false, 16383, (1n << 59n) + 1n);
    assert.equal(q2.toNumber(), 1 + 2 ** -52);
  });
});
