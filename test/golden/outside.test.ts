/**
 * What code generated for names defined outside a `.x` file does at run time (outside.x →
 * outside.ts, the golden module): it loads; an external type's codec fails with a clear
 * `XdrError` until bound and works after; a fixed size or a case value defined outside makes
 * only the affected codec fail, at use; an unknown bound is not checked; a type with no finite
 * value fails with an `XdrError`, never a stack overflow.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decode, encode, isXdrError, opaque, XdrError, string } from "../../src/xdr/index.js";
import * as gen from "./outside.js";

/** Asserts that `fn` throws an `XdrError` whose message matches `message`. */
function throwsXdr(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isXdrError(e), `not an XdrError: ${String(e)}`);
    assert.match(e.message, message);
    return true;
  });
}

const file = (owner: unknown): gen.file => ({ dev: 7, owner, name: "a" });

// The tests run in order: the second binds xdr_owner_t, which later ones need to code a `file`.
describe("code generated for names defined outside the file", () => {
  test("the module loads; a constant defined by an outside one is not exported", () => {
    assert.equal(gen.LOCAL_MAX, 8);
    assert.equal(gen.OUTSIDE_PROG, 0x20000777);
    assert.equal("DERIVED" in gen, false);
  });

  test("an external type's codec fails until bound, then works; binding elsewhere throws", () => {
    throwsXdr(
      () => encode(gen.xdr_file, file("root")),
      /^file\.owner: owner_t is defined outside outside\.x; bind its codec with xdr_owner_t\.bind\(codec\)/,
    );
    assert.equal(gen.xdr_owner_t.bound, false);
    const owner = string(16);
    gen.xdr_owner_t.bind(owner);
    assert.equal(gen.xdr_owner_t.bound, true);
    assert.equal(gen.xdr_owner_t.minSize, owner.minSize);
    const bytes = encode(gen.xdr_file, file("root"));
    assert.deepEqual(decode(gen.xdr_file, bytes), file("root"));
    gen.xdr_owner_t.bind(owner);
    assert.throws(() => gen.xdr_owner_t.bind(opaque(4)), /already bound/);
  });

  test("%#define xdr_dev_t xdr_u_int codes dev_t as an unsigned int", () => {
    const bytes = encode(gen.xdr_file, file("x"));
    assert.equal(Buffer.from(bytes.subarray(0, 4)).toString("hex"), "00000007");
    throwsXdr(() => encode(gen.xdr_file, { ...file("x"), dev: -1 }), /^file\.dev: /);
  });

  test("a fixed size defined outside: that codec fails at use, with how to fix it", () => {
    const why = /^typedef handle: size HANDLE_SIZE is defined outside outside\.x; regenerate with -D HANDLE_SIZE=VALUE/;
    throwsXdr(() => encode(gen.xdr_handle, new Uint8Array(4)), why);
    throwsXdr(() => decode(gen.xdr_handle, new Uint8Array(4)), why);
  });

  test("a bound defined outside is not checked", () => {
    const big = new Uint8Array(5000).fill(1);
    assert.deepEqual(decode(gen.xdr_cookie, encode(gen.xdr_cookie, big)), big);
  });

  test("enum members with values defined outside are left out; the codec rejects what it cannot name", () => {
    assert.deepEqual(Object.keys(gen.status), ["OK", "FAIL"]);
    assert.equal(decode(gen.xdr_status, encode(gen.xdr_status, gen.FAIL)), 99);
    throwsXdr(
      () => decode(gen.xdr_status, new Uint8Array([0, 0, 0, 1])),
      /1 is not a known member of enum status \(the values of E_NOENT, E_NEXT are defined outside outside\.x\)/,
    );
  });

  test("a union with a case value defined outside codes the known cases, fails on the rest", () => {
    const found: gen.result = { code: 0, found: file("me") };
    assert.deepEqual(decode(gen.xdr_result, encode(gen.xdr_result, found)), found);
    const why = /cannot choose the arm for code = 5 of union result: case REMOTE_ERR is defined outside/;
    throwsXdr(() => encode(gen.xdr_result, { code: 5 }), why);
    throwsXdr(() => decode(gen.xdr_result, new Uint8Array([0, 0, 0, 5])), why);
    throwsXdr(
      () => encode(gen.xdr_by_kind, { kind: 1, a: 2 }),
      /cannot choose an arm of union by_kind: case KIND_A is defined outside/,
    );
  });

  test("a type with no finite value fails with an XdrError, never a stack overflow", () => {
    const loop = { v: 1 } as gen.loop;
    loop.again = loop;
    const why = /no finite value of loop exists: its field again is a loop, not a loop \*/;
    throwsXdr(() => encode(gen.xdr_loop, loop), why);
    throwsXdr(() => decode(gen.xdr_loop, new Uint8Array(4096)), why);
    assert.deepEqual(decode(gen.xdr_holder, encode(gen.xdr_holder, { maybe: null, x: 3 })), {
      maybe: null,
      x: 3,
    });
    throwsXdr(() => encode(gen.xdr_holder, { maybe: loop, x: 3 }), /^holder\.maybe: no finite/);
    throwsXdr(
      () => decode(gen.xdr_holder, new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0])),
      /^holder\.maybe: no finite/,
    );
  });

  test("a procedure whose number is defined outside is left out of the descriptor", () => {
    assert.deepEqual(Object.keys(gen.OutsideProgV1.procedures), ["lookup"]);
    assert.equal(gen.OutsideProgV1.procedures.lookup.args[0], gen.xdr_owner_t);
  });

  test("XdrError is the class generated code throws", () => {
    assert.throws(() => encode(gen.xdr_handle, new Uint8Array(0)), XdrError);
  });
});
