/**
 * What the ONC RPC transports share: turning a reply header into a result or an `RpcError`
 * (client side), and a dispatch outcome into reply bytes (server side). RFC 5531 §9.
 */
import {
  AcceptStat,
  RejectStat,
  type ReplyHeader,
  readReplyAfterXid,
  writeAcceptedError,
  writeRejectedReply,
  writeSuccessHeader,
} from "../oncrpc/rpc-msg.js";
import { RpcError } from "../runtime/errors.js";
import type { Logger } from "../runtime/logger.js";
import type { DispatchOutcome } from "../runtime/transport.js";
import { XdrReader, type XdrWriter } from "../xdr/index.js";

const ACCEPT_CODES = [
  "",
  "prog_unavail",
  "prog_mismatch",
  "proc_unavail",
  "garbage_args",
  "system_err",
] as const;

/** The `RpcError` a non-SUCCESS reply header stands for. */
export function replyHeaderError(h: ReplyHeader, what: string): RpcError {
  if (h.kind === "accepted") {
    const code = ACCEPT_CODES[h.stat];
    if (code === undefined || code === "") {
      return new RpcError("malformed", `${what}: unknown accept_stat ${h.stat}`, { remote: false });
    }
    if (code === "prog_mismatch") {
      return new RpcError(code, `${what}: server supports versions ${h.low}..${h.high}`, {
        details: { low: h.low, high: h.high },
      });
    }
    return new RpcError(code, `${what}: the server replied ${code.toUpperCase()}`);
  }
  if (h.stat === RejectStat.RPC_MISMATCH) {
    return new RpcError("rpc_mismatch", `${what}: server speaks RPC versions ${h.low}..${h.high}`, {
      details: { low: h.low, high: h.high },
    });
  }
  return new RpcError("auth_error", `${what}: credentials refused (auth_stat ${h.authStat})`, {
    details: { authStat: h.authStat },
  });
}

/** Bytes 4..23 of a SUCCESS reply with an AUTH_NONE verifier: msg_type 1, then five zero words. */
function isPlainSuccess(m: Uint8Array): boolean {
  if (m.length < 24 || m[7] !== 1) return false;
  for (let i = 4; i < 24; i++) if (i !== 7 && m[i] !== 0) return false;
  return true;
}

/**
 * Reads a whole reply message (xid already matched by the caller) and returns the result, or
 * throws the `RpcError` it stands for. Every byte must be consumed.
 */
export function readReply<R>(
  message: Uint8Array,
  readResult: (r: XdrReader) => R,
  what: string,
): R {
  let r: XdrReader;
  if (isPlainSuccess(message)) {
    // The common reply — REPLY, MSG_ACCEPTED, AUTH_NONE verifier, SUCCESS — needs no parsing.
    r = new XdrReader(message, 24);
  } else {
    r = new XdrReader(message, 4);
    let header: ReplyHeader;
    try {
      header = readReplyAfterXid(r);
    } catch (e) {
      throw new RpcError("malformed", `${what}: bad reply header: ${(e as Error).message}`, {
        cause: e,
        remote: false,
      });
    }
    if (header.kind !== "accepted" || header.stat !== AcceptStat.SUCCESS)
      throw replyHeaderError(header, what);
  }
  let result: R;
  try {
    result = readResult(r);
    r.assertEnd();
  } catch (e) {
    throw new RpcError("malformed", `${what}: cannot decode the result: ${(e as Error).message}`, {
      cause: e,
      remote: false,
    });
  }
  return result;
}

/**
 * Writes the reply for `outcome` after `w`'s current position. If the handler's result cannot be
 * encoded, the writer is rolled back to `start` and SYSTEM_ERR is written instead (and logged).
 */
export function writeOutcome(
  w: XdrWriter,
  start: number,
  xid: number,
  outcome: DispatchOutcome,
  logger: Logger,
): void {
  switch (outcome.status) {
    case "success":
      writeSuccessHeader(w, xid);
      try {
        outcome.writeResult(w);
      } catch (e) {
        logger.error(`cannot encode a result (xid ${xid}); replying SYSTEM_ERR`, e);
        rollback(w, start);
        writeAcceptedError(w, xid, AcceptStat.SYSTEM_ERR);
      }
      return;
    case "prog_unavail":
      writeAcceptedError(w, xid, AcceptStat.PROG_UNAVAIL);
      return;
    case "prog_mismatch":
      writeAcceptedError(w, xid, AcceptStat.PROG_MISMATCH, outcome);
      return;
    case "proc_unavail":
      writeAcceptedError(w, xid, AcceptStat.PROC_UNAVAIL);
      return;
    case "garbage_args":
      writeAcceptedError(w, xid, AcceptStat.GARBAGE_ARGS);
      return;
    case "system_err":
    case "busy":
      // ONC RPC has no "busy": SYSTEM_ERR is the nearest honest answer.
      writeAcceptedError(w, xid, AcceptStat.SYSTEM_ERR);
      return;
    case "auth_error":
      writeRejectedReply(w, xid, {
        stat: RejectStat.AUTH_ERROR,
        authStat: outcome.authStat,
      });
      return;
  }
}

/** Rolls a writer back to `start` bytes (keeping what came before, e.g. a record mark). */
export function rollback(w: XdrWriter, start: number): void {
  if (start === 0) {
    w.reset();
    return;
  }
  const head = w.finish().subarray(0, start);
  w.reset();
  w.writeRaw(head);
}

/** Normalises an address for comparison (`::ffff:1.2.3.4` → `1.2.3.4`, lower case). */
export function normalizeAddress(address: string): string {
  const a = address.toLowerCase();
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}
