import assert from "node:assert/strict";
import { test } from "node:test";
import * as xdr from "./index.js";

test("an external codec fails with an XdrError until bound, then delegates", () => {
  const c = xdr.external<number>("dev_t", "ufs_prot.x");
  assert.equal(c.name, "dev_t");
  assert.equal(c.minSize, 0);
  assert.equal(c.bound, false);
  assert.throws(
    () => xdr.encode(c, 1),
    (e: unknown) =>
      xdr.isXdrError(e) &&
      e.offset === 0 &&
      /^dev_t is defined outside ufs_prot\.x; bind its codec with xdr_dev_t\.bind\(codec\)/.test(
        e.message,
      ),
  );
  assert.throws(() => xdr.decode(c, new Uint8Array(4)), xdr.XdrError);
  assert.equal(c.bind(xdr.uint), c);
  assert.equal(c.minSize, 4);
  assert.deepEqual(xdr.decode(c, xdr.encode(c, 7)), 7);
  assert.equal(c.bind(xdr.uint).bound, true, "binding the same codec again is harmless");
  assert.throws(() => c.bind(xdr.int), /xdr_dev_t is already bound to the codec/);
});
