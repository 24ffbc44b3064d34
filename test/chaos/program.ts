/**
 * The program the reliability lab calls. `EXEC(clientId, callId, delayMs, payload) →
 * (clientId, callId, payloadDigest, serverPid)`: its handler (server-proc.ts) writes one line to
 * the execution log before doing anything else, then waits `delayMs` (a long call), then answers
 * with values the caller can check — the ids it sent and a digest of its payload — so a reply
 * meant for another call, or damaged bytes, show as a wrong result. `ECHO` (same arguments)
 * logs the same way and returns the payload itself, so big replies are checked byte for byte.
 */
import { defineProgram, xdr } from "../../src/index.js";

/** Program number in the user-defined range (RFC 5531 §12: 0x20000000–0x3fffffff). */
export const CHAOS_PROGRAM = 0x2000_c4a0;

/** The reliability lab's program descriptor. */
export const ChaosV1 = defineProgram({
  name: "CHAOS_PROG",
  program: CHAOS_PROGRAM,
  version: 1,
  procedures: {
    exec: {
      procedure: 1,
      name: "EXEC",
      args: [xdr.uint, xdr.uint, xdr.uint, xdr.opaque()],
      result: xdr.struct("ExecResult", {
        clientId: xdr.uint,
        callId: xdr.uint,
        payloadDigest: xdr.uint,
        serverPid: xdr.uint,
      }),
    },
    echo: {
      procedure: 2,
      name: "ECHO",
      args: [xdr.uint, xdr.uint, xdr.uint, xdr.opaque()],
      result: xdr.struct("EchoResult", {
        clientId: xdr.uint,
        callId: xdr.uint,
        payload: xdr.opaque(),
      }),
    },
  },
});

/** FNV-1a over bytes (the handler returns it; the caller recomputes it). */
export function fnv1a(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

/** Whether two byte arrays are equal, byte for byte. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Deterministic payload of `bytes` bytes for one call (so each call's digest differs). */
export function payloadFor(clientId: number, callId: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = (Math.imul(clientId, 2654435761) ^ Math.imul(callId, 40503) ^ 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
