/**
 * The XDR writer on values from user code (fast-check): for codecs of many shapes built from the
 * combinators, any JavaScript value at all — right or wrong type, out of range, missing fields,
 * symbols, functions — is either encoded into bytes that decode and re-encode
 * to the same bytes, or refused with an `XdrError`; never another exception.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { decode, encode, isXdrError } from "../../src/xdr/index.js";
import { shapeOf } from "../fuzz/targets/xdr-shapes.js";

test("encode(anything) is bytes that round-trip, or an XdrError", () => {
  fc.assert(
    fc.property(
      fc.nat(),
      fc.anything({ withBigInt: true, withTypedArray: true }),
      (seed, value) => {
        const { codec } = shapeOf(seed);
        let bytes: Uint8Array;
        try {
          bytes = encode(codec, value);
        } catch (e) {
          assert.ok(isXdrError(e), `${codec.name}: not an XdrError: ${String(e)}`);
          return;
        }
        assert.equal(bytes.length % 4, 0);
        assert.deepEqual(encode(codec, decode(codec, bytes)), bytes);
      },
    ),
    { numRuns: 3000 },
  );
});
