import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { XdrReader, XdrWriter } from "../xdr/index.js";
import { AUTH_NONE, authSys, decodeAuthSys, MAX_AUTH_BYTES } from "./auth.js";
import {
  AcceptStat,
  RejectStat,
  readCall,
  readReplyAfterXid,
  writeAcceptedError,
  writeCallHeader,
  writeRejectedReply,
  writeSuccessHeader,
} from "./rpc-msg.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const words = (...w: number[]) => w.map((x) => (x >>> 0).toString(16).padStart(8, "0")).join("");

describe("rpc_msg (RFC 5531 §9)", () => {
  test("a call header has the exact bytes of the RFC layout", () => {
    const w = new XdrWriter();
    const header = { xid: 0x01020304, program: 0x20000099, version: 2, procedure: 27 };
    writeCallHeader(w, { ...header, credential: AUTH_NONE, verifier: AUTH_NONE });
    w.writeUint(33);
    assert.equal(hex(w.finish()), words(0x01020304, 0, 2, 0x20000099, 2, 27, 0, 0, 0, 0, 33));
  });

  test("readCall round-trips a call with AUTH_SYS", () => {
    const w = new XdrWriter();
    const cred = authSys({ stamp: 7, machinename: "host", uid: 1234, gid: 5678, gids: [1, 2, 3] });
    writeCallHeader(w, {
      xid: 9,
      program: 100000,
      version: 2,
      procedure: 3,
      credential: cred,
      verifier: AUTH_NONE,
    });
    w.writeUint(42);
    const r = new XdrReader(w.finish());
    const m = readCall(r);
    assert.equal(m.kind, "call");
    if (m.kind !== "call") return;
    assert.equal(m.header.xid, 9);
    assert.equal(m.header.credential.flavor, 1);
    assert.deepEqual(decodeAuthSys(m.header.credential.body), {
      stamp: 7,
      machinename: "host",
      uid: 1234,
      gid: 5678,
      gids: [1, 2, 3],
    });
    assert.equal(r.readUint(), 42);
  });

  const cases: [string, number[], string][] = [
    ["a reply is dropped", [1, 1, 0, 0, 0, 0], "drop"],
    ["short input is dropped", [1, 0, 2], "drop"],
    ["rpcvers 3 is an RPC_MISMATCH", [5, 0, 3, 1, 1, 0, 0, 0, 0, 0], "rpc-mismatch"],
    ["truncated after rpcvers is dropped", [5, 0, 2, 1, 1, 0], "drop"],
    [
      "a 401-byte credential is AUTH_BADCRED",
      [5, 0, 2, 1, 1, 0, 1, 401, 0, 0, 0, 0],
      "bad-credential",
    ],
    [
      "a credential longer than the message",
      [5, 0, 2, 1, 1, 0, 1, 40, 0, 0, 0, 0],
      "bad-credential",
    ],
  ];
  for (const [name, msg, kind] of cases) {
    test(name, () => {
      const w = new XdrWriter();
      for (const x of msg) w.writeUint(x);
      assert.equal(readCall(new XdrReader(w.finish())).kind, kind);
    });
  }

  test("reply headers round-trip for every status", () => {
    const read = (w: XdrWriter) => {
      const r = new XdrReader(w.finish());
      assert.equal(r.readUint(), 77);
      return readReplyAfterXid(r);
    };
    let w = new XdrWriter();
    writeSuccessHeader(w, 77);
    assert.deepEqual(read(w), { kind: "accepted", verifier: AUTH_NONE, stat: 0, low: 0, high: 0 });
    w = new XdrWriter();
    writeAcceptedError(w, 77, AcceptStat.PROG_MISMATCH, { low: 1, high: 2 });
    assert.deepEqual(read(w), { kind: "accepted", verifier: AUTH_NONE, stat: 2, low: 1, high: 2 });
    w = new XdrWriter();
    writeAcceptedError(w, 77, AcceptStat.GARBAGE_ARGS);
    assert.equal(read(w).stat, AcceptStat.GARBAGE_ARGS);
    w = new XdrWriter();
    writeRejectedReply(w, 77, { stat: RejectStat.RPC_MISMATCH, low: 2, high: 2 });
    assert.deepEqual(read(w), { kind: "rejected", stat: 0, low: 2, high: 2, authStat: 0 });
    w = new XdrWriter();
    writeRejectedReply(w, 77, { stat: RejectStat.AUTH_ERROR, authStat: 5 });
    assert.deepEqual(read(w), { kind: "rejected", stat: 1, low: 0, high: 0, authStat: 5 });
  });

  test("unknown reply_stat and reject_stat are XdrErrors", () => {
    for (const msg of [
      [77, 1, 2],
      [77, 1, 1, 9],
      [77, 0],
    ]) {
      const w = new XdrWriter();
      for (const x of msg) w.writeUint(x);
      const r = new XdrReader(w.finish());
      r.readUint();
      assert.throws(() => readReplyAfterXid(r), { name: "XdrError" });
    }
  });
});

describe("AUTH_SYS bounds (RFC 5531 Appendix A)", () => {
  test("machinename of 256 bytes, 17 gids are refused on encode", () => {
    const base = { stamp: 0, machinename: "m", uid: 0, gid: 0, gids: [] as number[] };
    assert.throws(() => authSys({ ...base, machinename: "x".repeat(256) }), /bound/);
    assert.throws(() => authSys({ ...base, gids: new Array(17).fill(1) }), /bound/);
    assert.ok(
      authSys({ ...base, machinename: "x".repeat(255), gids: new Array(16).fill(1) }).body.length <=
        MAX_AUTH_BYTES,
    );
  });

  test("decode refuses bodies past the bounds, and trailing bytes", () => {
    const body = (...w: number[]) => Buffer.from(words(...w), "hex");
    assert.throws(() => decodeAuthSys(body(0, 256)), /bound/);
    assert.throws(() => decodeAuthSys(body(0, 0, 1, 2, 17)), /bound/);
    assert.throws(() => decodeAuthSys(body(0, 0, 1, 2, 0, 99)), /unexpected/);
    assert.throws(() => decodeAuthSys(new Uint8Array(401)), /exceeds/);
    assert.deepEqual(decodeAuthSys(body(5, 0, 1, 2, 1, 3)), {
      stamp: 5,
      machinename: "",
      uid: 1,
      gid: 2,
      gids: [3],
    });
  });
});
