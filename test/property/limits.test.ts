/**
 * Limits of generated codecs: linked lists are encoded and decoded in a loop (a million nodes
 * work, no recursion), other recursive types count depth (hostile nesting ends in an XdrError,
 * not a stack overflow), and hostile counts are refused before anything is allocated.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decode, encode, isXdrError, XdrWriter } from "../../src/xdr/index.js";
import * as conf from "../conformance/gen/conformance.js";
import * as types from "../golden/types.js";

test("a million-node linked list round-trips without recursion", () => {
  let head: conf.int_list | null = null;
  for (let i = 0; i < 1_000_000; i++) head = { value: i, next: head };
  const bytes = encode(conf.xdr_int_list, head!);
  assert.equal(bytes.length, 8_000_000);
  let node: conf.int_list | null = decode(conf.xdr_int_list, bytes);
  let n = 0;
  for (; node !== null; node = node.next) assert.equal(node.value, 999_999 - n++);
  assert.equal(n, 1_000_000);
});

test("list errors name the node", () => {
  const bytes = encode(conf.xdr_int_list, {
    value: 1,
    next: { value: 2, next: { value: 3, next: null } },
  });
  assert.throws(() => decode(conf.xdr_int_list, bytes.subarray(0, 18)), {
    message: "int_list.next[2].value: need 4 bytes at offset 16, have 2",
  });
});

test("hostile nesting of a recursive type ends in an XdrError", () => {
  // tree { tree *left; int value; tree *right; }: 100,000 left children, each "present".
  const w = new XdrWriter();
  for (let i = 0; i < 100_000; i++) w.writeUint(1);
  const bytes = w.finish();
  assert.throws(
    () => decode(types.xdr_tree, bytes),
    (e) => isXdrError(e) && /nesting deeper than/.test(String(e)),
  );
});

test("hostile array counts are refused before allocation", () => {
  const bytes = Uint8Array.of(0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff);
  assert.throws(() => decode(types.xdr_everything, bytes), isXdrError);
  assert.throws(() => decode(conf.xdr_unbounded_array_t, bytes.subarray(4)), /needs at least/);
});
