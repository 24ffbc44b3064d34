/**
 * ONC RPC message decoders (RFC 5531 §9, §8.2, Appendix A):
 *
 * - `onc-call`: `readCall` on a datagram, as a server reads it. It must never throw (it returns
 *   drop / rpc-mismatch / bad-credential / call), must leave the reader inside the message, and a
 *   call's AUTH_SYS credential then decodes or fails only with `XdrError`.
 * - `onc-reply`: `readReply` on a reply datagram, as a client reads it (results decoded with one
 *   of several conformance.x codecs, chosen by the xid's low bits). Only `RpcError`, with the code
 *   the reply stands for; `readReplyAfterXid` alone fails only with `XdrError`.
 * - `auth-sys`: `decodeAuthSys` on a credential body: only `XdrError`; what decodes re-encodes
 *   to an equal credential.
 *
 * Seeds: calls, replies and credentials recorded between the C peers (rpcgen + libtirpc) and
 * Lupine over loopback (`capture.ts`).
 */
import { isDeepStrictEqual } from "node:util";
import { decodeAuthSys, encodeAuthSys } from "../../../src/oncrpc/auth.js";
import { readCall, readReplyAfterXid } from "../../../src/oncrpc/rpc-msg.js";
import { isRpcError } from "../../../src/runtime/errors.js";
import { readReply } from "../../../src/transport/onc-reply.js";
import { isXdrError, XdrReader } from "../../../src/xdr/index.js";
import * as conformance from "../../conformance/gen/conformance.js";
import { readCorpus } from "../engine/corpus.js";
import { CheckFailed, check, type FuzzTarget, proportionalBudget } from "../engine/target.js";

/** The `rpc_msg` call decoder. */
export function callTarget(): FuzzTarget {
  return {
    name: "onc-call",
    summary: "readCall on any datagram: never throws; AUTH_SYS bodies fail only with XdrError",
    maxLength: 2048,
    timeLimitMs: 100,
    budget: proportionalBudget(2, 4096),
    seeds: () => readCorpus("onc-call"),
    run(input) {
      const r = new XdrReader(input);
      const msg = readCall(r);
      check(r.pos <= input.length, "reader ran past the message");
      if (msg.kind !== "call") return;
      const h = msg.header;
      check(h.credential.body.length <= 400 && h.verifier.body.length <= 400, "auth body over 400");
      if (h.credential.flavor === 1) authSysChecked(h.credential.body);
    },
  };
}

function authSysChecked(body: Uint8Array): void {
  let params: ReturnType<typeof decodeAuthSys>;
  try {
    params = decodeAuthSys(body);
  } catch (e) {
    if (isXdrError(e)) return;
    throw e;
  }
  check(params.gids.length <= 16 && params.machinename.length <= 255, "AUTH_SYS bounds");
  let again: Uint8Array;
  try {
    again = encodeAuthSys(params);
  } catch (e) {
    throw new CheckFailed(`a decoded AUTH_SYS body does not re-encode: ${String(e)}`);
  }
  check(isDeepStrictEqual(decodeAuthSys(again), params), "AUTH_SYS round trip differs");
}

/** AUTH_SYS bodies. */
export function authSysTarget(): FuzzTarget {
  return {
    name: "auth-sys",
    summary: "decodeAuthSys on any body: only XdrError; decoded credentials re-encode",
    maxLength: 512,
    timeLimitMs: 100,
    budget: proportionalBudget(2, 4096),
    seeds: () => readCorpus("auth-sys"),
    run: authSysChecked,
  };
}

const RESULT_CODECS: readonly { decode(r: XdrReader): unknown }[] = [
  conformance.xdr_all_types,
  conformance.xdr_int_list,
  conformance.xdr_result,
  conformance.xdr_name_t,
];
const REPLY_CODES = new Set<string>([
  "malformed",
  "prog_unavail",
  "prog_mismatch",
  "proc_unavail",
  "garbage_args",
  "system_err",
  "rpc_mismatch",
  "auth_error",
]);

/** Reply messages, as a client decodes them. */
export function replyTarget(): FuzzTarget {
  return {
    name: "onc-reply",
    summary:
      "readReply / readReplyAfterXid on any reply: only RpcError (a reply's code) / XdrError",
    maxLength: 4096,
    timeLimitMs: 100,
    budget: proportionalBudget(4, 64 * 1024),
    seeds: () => readCorpus("onc-reply"),
    run(input) {
      if (input.length < 4) return;
      const codec = RESULT_CODECS[input[3]! % RESULT_CODECS.length]!;
      try {
        readReply(input, (r) => codec.decode(r), "fuzz");
      } catch (e) {
        if (!isRpcError(e)) throw e;
        check(REPLY_CODES.has(e.code), `unexpected RpcError code ${e.code}`);
      }
      try {
        readReplyAfterXid(new XdrReader(input, 4));
      } catch (e) {
        if (!isXdrError(e)) throw e;
      }
    },
  };
}
