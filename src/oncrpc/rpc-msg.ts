/**
 * The ONC RPC message header (RFC 5531 §9): `rpc_msg` with its `call_body`, `accepted_reply` and
 * `rejected_reply`. Writers put a header into an `XdrWriter` (the caller then writes the
 * arguments or results); readers take one from an `XdrReader` and leave it at the body.
 *
 * Pure: no I/O. Readers never throw on well-framed hostile input that they can answer: they
 * return what a server must reply (RPC_MISMATCH, AUTH_ERROR) as values; they throw `XdrError`
 * only when the bytes cannot be a message at all (then the datagram or record is dropped).
 */
import type { XdrReader, XdrWriter } from "../xdr/index.js";
import {
  AUTH_NONE,
  MAX_AUTH_BYTES,
  type OpaqueAuth,
  readOpaqueAuth,
  writeOpaqueAuth,
} from "./auth.js";

/** RFC 5531 §9 `msg_type`. */
export const MsgType = { CALL: 0, REPLY: 1 } as const;
/** RFC 5531 §9 `reply_stat`. */
export const ReplyStat = { MSG_ACCEPTED: 0, MSG_DENIED: 1 } as const;
/** RFC 5531 §9 `accept_stat`. */
export const AcceptStat = {
  SUCCESS: 0,
  PROG_UNAVAIL: 1,
  PROG_MISMATCH: 2,
  PROC_UNAVAIL: 3,
  GARBAGE_ARGS: 4,
  SYSTEM_ERR: 5,
} as const;
/** RFC 5531 §9 `reject_stat`. */
export const RejectStat = { RPC_MISMATCH: 0, AUTH_ERROR: 1 } as const;
/** RFC 5531 §9: `rpcvers` must be 2. */
export const RPC_VERSION = 2;

/** The fields of a call header (RFC 5531 §9 `call_body` plus the xid). */
export interface CallHeader {
  readonly xid: number;
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  readonly credential: OpaqueAuth;
  readonly verifier: OpaqueAuth;
}

/** Writes `xid, CALL, rpcvers 2, prog, vers, proc, cred, verf`; the arguments follow. */
export function writeCallHeader(w: XdrWriter, h: CallHeader): void {
  w.writeUint(h.xid);
  w.writeUint(MsgType.CALL);
  w.writeUint(RPC_VERSION);
  w.writeUint(h.program);
  w.writeUint(h.version);
  w.writeUint(h.procedure);
  writeOpaqueAuth(w, h.credential);
  writeOpaqueAuth(w, h.verifier);
}

/** What a server makes of an incoming message (see {@link readCall}). */
export type IncomingMessage =
  /** A well-formed call; the reader is at the arguments. */
  | { readonly kind: "call"; readonly header: CallHeader }
  /** `rpcvers` ≠ 2: answer MSG_DENIED / RPC_MISMATCH 2..2 (RFC 5531 §9). */
  | { readonly kind: "rpc-mismatch"; readonly xid: number }
  /** The credential or verifier is malformed (too long): answer AUTH_ERROR / AUTH_BADCRED. */
  | { readonly kind: "bad-credential"; readonly xid: number }
  /** A REPLY, or too short to hold a call: drop it silently. */
  | { readonly kind: "drop"; readonly reason: string };

/**
 * Reads a call header for a server. Never throws: everything is a value, so that a hostile
 * datagram or record can only lead to one of the answers RFC 5531 allows (or none).
 */
export function readCall(r: XdrReader): IncomingMessage {
  if (r.remaining < 24) return { kind: "drop", reason: `message of ${r.remaining} bytes` };
  const xid = r.readUint();
  const type = r.readUint();
  if (type !== MsgType.CALL) return { kind: "drop", reason: `msg_type ${type} is not CALL` };
  const rpcvers = r.readUint();
  if (rpcvers !== RPC_VERSION) return { kind: "rpc-mismatch", xid };
  if (r.remaining < 12 + 16) return { kind: "drop", reason: "truncated call header" };
  const program = r.readUint();
  const version = r.readUint();
  const procedure = r.readUint();
  let credential: OpaqueAuth;
  let verifier: OpaqueAuth;
  try {
    credential = readOpaqueAuth(r);
    verifier = readOpaqueAuth(r);
  } catch {
    // An auth body longer than MAX_AUTH_BYTES, or truncated: the caller gets AUTH_BADCRED.
    return { kind: "bad-credential", xid };
  }
  return { kind: "call", header: { xid, program, version, procedure, credential, verifier } };
}

/** Writes an accepted reply header with `stat` SUCCESS: the results follow. */
export function writeSuccessHeader(w: XdrWriter, xid: number, verifier: OpaqueAuth = AUTH_NONE) {
  w.writeUint(xid);
  w.writeUint(MsgType.REPLY);
  w.writeUint(ReplyStat.MSG_ACCEPTED);
  writeOpaqueAuth(w, verifier);
  w.writeUint(AcceptStat.SUCCESS);
}

/**
 * Writes a whole accepted reply that carries no results: PROG_UNAVAIL, PROG_MISMATCH (with
 * `low`/`high`), PROC_UNAVAIL, GARBAGE_ARGS or SYSTEM_ERR.
 */
export function writeAcceptedError(
  w: XdrWriter,
  xid: number,
  stat: Exclude<(typeof AcceptStat)[keyof typeof AcceptStat], 0>,
  mismatch?: { readonly low: number; readonly high: number },
): void {
  w.writeUint(xid);
  w.writeUint(MsgType.REPLY);
  w.writeUint(ReplyStat.MSG_ACCEPTED);
  writeOpaqueAuth(w, AUTH_NONE);
  w.writeUint(stat);
  if (stat === AcceptStat.PROG_MISMATCH) {
    w.writeUint(mismatch?.low ?? 0);
    w.writeUint(mismatch?.high ?? 0);
  }
}

/** Writes a rejected reply: RPC_MISMATCH with the supported range, or AUTH_ERROR with an `auth_stat`. */
export function writeRejectedReply(
  w: XdrWriter,
  xid: number,
  reject:
    | { readonly stat: typeof RejectStat.RPC_MISMATCH; readonly low: number; readonly high: number }
    | { readonly stat: typeof RejectStat.AUTH_ERROR; readonly authStat: number },
): void {
  w.writeUint(xid);
  w.writeUint(MsgType.REPLY);
  w.writeUint(ReplyStat.MSG_DENIED);
  w.writeUint(reject.stat);
  if (reject.stat === RejectStat.RPC_MISMATCH) {
    w.writeUint(reject.low);
    w.writeUint(reject.high);
  } else {
    w.writeUint(reject.authStat);
  }
}

/** A reply header as a client reads it. */
export type ReplyHeader =
  | {
      readonly kind: "accepted";
      readonly verifier: OpaqueAuth;
      /** `accept_stat`; for SUCCESS the reader is at the results. */
      readonly stat: number;
      /** PROG_MISMATCH only. */
      readonly low: number;
      readonly high: number;
    }
  | {
      readonly kind: "rejected";
      /** `reject_stat`. */
      readonly stat: number;
      /** RPC_MISMATCH only. */
      readonly low: number;
      readonly high: number;
      /** AUTH_ERROR only. */
      readonly authStat: number;
    };

/**
 * Reads a reply header after the xid (the caller has read and matched it). Throws `XdrError` on
 * a message that is not a well-formed reply.
 */
export function readReplyAfterXid(r: XdrReader): ReplyHeader {
  const type = r.readUint();
  if (type !== MsgType.REPLY) r.fail(`msg_type ${type} is not REPLY`, r.pos - 4);
  const replyStat = r.readUint();
  if (replyStat === ReplyStat.MSG_ACCEPTED) {
    const verifier = readOpaqueAuth(r);
    const stat = r.readUint();
    if (stat === AcceptStat.PROG_MISMATCH) {
      const low = r.readUint();
      const high = r.readUint();
      return { kind: "accepted", verifier, stat, low, high };
    }
    return { kind: "accepted", verifier, stat, low: 0, high: 0 };
  }
  if (replyStat === ReplyStat.MSG_DENIED) {
    const stat = r.readUint();
    if (stat === RejectStat.RPC_MISMATCH) {
      const low = r.readUint();
      const high = r.readUint();
      return { kind: "rejected", stat, low, high, authStat: 0 };
    }
    if (stat === RejectStat.AUTH_ERROR) {
      return { kind: "rejected", stat, low: 0, high: 0, authStat: r.readUint() };
    }
    r.fail(`unknown reject_stat ${stat}`, r.pos - 4);
  }
  return r.fail(`unknown reply_stat ${replyStat}`, r.pos - 4);
}

/** The largest call header: 40 bytes of fixed fields plus two 400-byte auth bodies. */
export const MAX_CALL_HEADER_BYTES = 40 + 2 * MAX_AUTH_BYTES;
