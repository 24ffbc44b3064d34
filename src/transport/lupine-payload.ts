/**
 * The RPC payload Lupine's transport carries inside its Call and Reply frames (docs/protocol.md
 * "Payload"). The call side reuses the RFC 5531 §9 `call_body` fields after `rpcvers` — program,
 * version, procedure, credential, verifier — so the same Dispatcher serves ONC RPC and Lupine;
 * there is no xid (the frame's sequence number replaces it) and no RPC version (the frame header
 * is versioned). The reply is a status word followed by the result or the status's details:
 *
 * ```
 * call  = prog u32, vers u32, proc u32, cred opaque_auth, verf opaque_auth, args...
 * reply = status u32 (ReplyStatus), then: SUCCESS → result; PROG_MISMATCH → low u32, high u32;
 *         AUTH_ERROR → auth_stat u32; others → nothing
 * ```
 */
import type { OpaqueAuth } from "../runtime/context.js";
import type { DispatchOutcome } from "../runtime/transport.js";
import type { XdrReader, XdrWriter } from "../xdr/index.js";

/** Reply status words (values follow RFC 5531 `accept_stat`; AUTH_ERROR is Lupine's 6). */
export const ReplyStatus = {
  SUCCESS: 0,
  PROG_UNAVAIL: 1,
  PROG_MISMATCH: 2,
  PROC_UNAVAIL: 3,
  GARBAGE_ARGS: 4,
  SYSTEM_ERR: 5,
  AUTH_ERROR: 6,
} as const;

/** RFC 5531 §8.2: an opaque_auth body is at most 400 bytes. */
export const MAX_AUTH_BYTES = 400;

/** AUTH_NONE with an empty body, shared by every call that sends it (most). */
export const AUTH_NONE_EMPTY: OpaqueAuth = Object.freeze({ flavor: 0, body: new Uint8Array(0) });
const NONE = AUTH_NONE_EMPTY;

/** The fixed part of a call payload. */
export interface CallHeader {
  program: number;
  version: number;
  procedure: number;
  credential: OpaqueAuth;
  verifier: OpaqueAuth;
}

/** Writes the call header; the arguments follow. */
export function writeCallHeader(
  w: XdrWriter,
  h: {
    program: number;
    version: number;
    procedure: number;
    credential?: OpaqueAuth | undefined;
    verifier?: OpaqueAuth | undefined;
  },
): void {
  w.writeUint(h.program);
  w.writeUint(h.version);
  w.writeUint(h.procedure);
  const cred = h.credential ?? NONE;
  const verf = h.verifier ?? NONE;
  w.writeUint(cred.flavor);
  w.writeVarOpaque(cred.body, MAX_AUTH_BYTES);
  w.writeUint(verf.flavor);
  w.writeVarOpaque(verf.body, MAX_AUTH_BYTES);
}

/** Reads the call header (throws XdrError on bad input); leaves `r` at the arguments. */
export function readCallHeader(r: XdrReader): CallHeader {
  const program = r.readUint();
  const version = r.readUint();
  const procedure = r.readUint();
  const credential = readAuth(r);
  const verifier = readAuth(r);
  return { program, version, procedure, credential, verifier };
}

/**
 * Reads an `opaque_auth` (RFC 5531 §8.2); an empty AUTH_NONE — what nearly every call sends —
 * is the shared {@link AUTH_NONE_EMPTY}, allocated once.
 */
export function readAuth(r: XdrReader): OpaqueAuth {
  const flavor = r.readUint();
  if (flavor === 0 && r.remaining >= 4 && r.view.getUint32(r.pos) === 0) {
    r.pos += 4;
    return AUTH_NONE_EMPTY;
  }
  return { flavor, body: r.readVarOpaque(MAX_AUTH_BYTES) };
}

/** Writes a dispatch outcome as a reply payload (`busy` is not a reply: the frame layer's Busy). */
export function writeReply(w: XdrWriter, outcome: DispatchOutcome): void {
  switch (outcome.status) {
    case "success":
      w.writeUint(ReplyStatus.SUCCESS);
      outcome.writeResult(w);
      return;
    case "prog_unavail":
      w.writeUint(ReplyStatus.PROG_UNAVAIL);
      return;
    case "prog_mismatch":
      w.writeUint(ReplyStatus.PROG_MISMATCH);
      w.writeUint(outcome.low);
      w.writeUint(outcome.high);
      return;
    case "proc_unavail":
      w.writeUint(ReplyStatus.PROC_UNAVAIL);
      return;
    case "garbage_args":
      w.writeUint(ReplyStatus.GARBAGE_ARGS);
      return;
    case "auth_error":
      w.writeUint(ReplyStatus.AUTH_ERROR);
      w.writeUint(outcome.authStat);
      return;
    default:
      w.writeUint(ReplyStatus.SYSTEM_ERR);
  }
}
