/**
 * RPC-with-TLS (RFC 9289 §4.1): how a client asks an ONC RPC server over TCP for TLS, and how
 * the server says yes, before both start TLS on the same connection.
 *
 * The client sends a NULL call (procedure 0) whose credential has flavor AUTH_TLS (7) and an
 * empty body, with an AUTH_NONE verifier. A server that supports RPC-with-TLS answers
 * MSG_ACCEPTED / SUCCESS with an AUTH_NONE verifier whose body is the eight octets `STARTTLS`,
 * and the client starts the TLS handshake at once. Anything else — AUTH_ERROR (a server that
 * does not know AUTH_TLS), SUCCESS with an empty verifier (Linux's answer on a transport that
 * cannot do TLS), no answer — means "no TLS here". The server side refuses malformed probes as
 * Linux's `svcauth_tls_accept` does: a credential body or a verifier that is not empty, or a
 * procedure other than 0 → AUTH_BADCRED / AUTH_BADVERF; a probe on a connection that already
 * runs TLS → AUTH_BADCRED.
 *
 * Pure: encoding and judging only; `transport/onc-tls-client.ts` and `onc-tcp-server.ts` do the
 * I/O.
 */
import type { XdrWriter } from "../xdr/index.js";
import { AUTH_NONE, AuthFlavor, type OpaqueAuth } from "./auth.js";
import {
  AcceptStat,
  type CallHeader,
  type ReplyHeader,
  writeCallHeader,
  writeSuccessHeader,
} from "./rpc-msg.js";

/**
 * The verifier body of a server's yes: the ASCII octets `STARTTLS` (RFC 9289 §4.1). Shared:
 * never modify it.
 */
export const STARTTLS: Uint8Array = Uint8Array.from([83, 84, 65, 82, 84, 84, 76, 83]);

/** The probe's credential: AUTH_TLS with an empty body. */
export const AUTH_TLS: OpaqueAuth = Object.freeze({
  flavor: AuthFlavor.AUTH_TLS,
  body: new Uint8Array(0),
});

/** The ALPN protocol identifier of RPC-with-TLS (RFC 9289 §7.2). */
export const ALPN_SUNRPC = "sunrpc";

/** RFC 5531 §9 `auth_stat` values the probe judgement uses. */
const AUTH_BADCRED = 1;
const AUTH_BADVERF = 3;

/** Writes the probe: a NULL call of `program`/`version` with the AUTH_TLS credential. */
export function writeTlsProbe(w: XdrWriter, xid: number, program: number, version: number): void {
  writeCallHeader(w, {
    xid,
    program,
    version,
    procedure: 0,
    credential: AUTH_TLS,
    verifier: AUTH_NONE,
  });
}

/** Writes the server's yes: SUCCESS with the `STARTTLS` verifier and no results. */
export function writeStartTlsReply(w: XdrWriter, xid: number): void {
  writeSuccessHeader(w, xid, { flavor: AuthFlavor.AUTH_NONE, body: STARTTLS });
}

/** Whether a reply header (of the probe's xid) is the server's yes. */
export function isStartTls(h: ReplyHeader): boolean {
  if (h.kind !== "accepted" || h.stat !== AcceptStat.SUCCESS) return false;
  const v = h.verifier;
  return (
    v.flavor === AuthFlavor.AUTH_NONE &&
    v.body.length === STARTTLS.length &&
    v.body.every((b, i) => b === STARTTLS[i])
  );
}

/** Why a reply is not a yes, in words for an error message. */
export function describeProbeAnswer(h: ReplyHeader): string {
  if (h.kind === "rejected") {
    return h.stat === 1
      ? `AUTH_ERROR (auth_stat ${h.authStat})`
      : `RPC_MISMATCH (versions ${h.low}..${h.high})`;
  }
  const stats = ["SUCCESS", "PROG_UNAVAIL", "PROG_MISMATCH", "PROC_UNAVAIL", "GARBAGE_ARGS"];
  const name = stats[h.stat] ?? `accept_stat ${h.stat}`;
  return h.stat === AcceptStat.SUCCESS ? "SUCCESS without the STARTTLS verifier" : name;
}

/** What a server does with an AUTH_TLS call. */
export type ProbeJudgement =
  | { readonly kind: "start-tls" }
  | { readonly kind: "refuse"; readonly authStat: number; readonly reason: string };

/**
 * Judges an AUTH_TLS call (see the module comment). `secure`: the connection already runs TLS;
 * `busy`: calls are still running on it (the switch must happen between calls, so the server
 * refuses rather than wait).
 */
export function judgeTlsProbe(
  h: CallHeader,
  connection: { readonly secure: boolean; readonly busy: boolean },
): ProbeJudgement {
  if (h.credential.body.length !== 0) {
    return { kind: "refuse", authStat: AUTH_BADCRED, reason: "AUTH_TLS credential with a body" };
  }
  if (h.verifier.flavor !== AuthFlavor.AUTH_NONE || h.verifier.body.length !== 0) {
    return { kind: "refuse", authStat: AUTH_BADVERF, reason: "AUTH_TLS probe with a verifier" };
  }
  if (h.procedure !== 0) {
    return {
      kind: "refuse",
      authStat: AUTH_BADCRED,
      reason: "AUTH_TLS on a procedure other than 0",
    };
  }
  if (connection.secure) {
    return { kind: "refuse", authStat: AUTH_BADCRED, reason: "AUTH_TLS probe inside TLS" };
  }
  if (connection.busy) {
    return { kind: "refuse", authStat: AUTH_BADCRED, reason: "AUTH_TLS probe with calls running" };
  }
  return { kind: "start-tls" };
}
