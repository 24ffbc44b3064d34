import assert from "node:assert/strict";
import { test } from "node:test";
import * as xdr from "./index.js";

test("XdrError.at adds a field and an element index (generated codecs keep one index)", () => {
  const inner = new xdr.XdrError("need 8 bytes at offset 24, have 4", 24);
  const e = xdr.XdrError.at(xdr.XdrError.at(inner, "entry", "size"), "dir", "entries", 1);
  assert.equal(e.message, "dir.entries[1].size: need 8 bytes at offset 24, have 4");
  assert.equal(xdr.XdrError.at(new xdr.XdrError("x", 0), "list", "v", -1).message, "list.v: x");
});

test("encode() reuses its writer safely, also when a codec calls encode() itself", () => {
  const nested: xdr.XdrCodec<string> = {
    name: "nested",
    minSize: 4,
    encode: (w, v) => w.writeVarOpaque(xdr.encode(xdr.string(), v)),
    decode: (r) => xdr.decode(xdr.string(), r.readVarOpaque()),
  };
  const a = xdr.encode(nested, "abc");
  const b = xdr.encode(xdr.int, 7);
  assert.equal(Buffer.from(a).toString("hex"), "000000080000000361626300");
  assert.equal(Buffer.from(b).toString("hex"), "00000007");
  assert.equal(xdr.decode(nested, a), "abc");
  assert.throws(() => xdr.encode(xdr.int, 2 ** 40), xdr.XdrError);
  assert.equal(
    Buffer.from(xdr.encode(xdr.int, 1)).toString("hex"),
    "00000001",
    "a failed encode leaves no bytes behind",
  );
});
