/**
 * The program simulations and real-network checks call: one procedure whose handler records each
 * execution in a {@link CallLedger}, optionally runs for a while (a long call), and returns a
 * reply of a requested size derived from its arguments, so the caller can check the result is
 * exactly what the handler returned.
 *
 * `LEDGER_CALL(id u32, delayMs u32, replyBytes u32, payload opaque<>) →
 *  (id u32, payloadDigest u32, reply opaque<>)`
 */
import type { Clock } from "../io/clock.js";
import type { CallRequest, Dispatcher, DispatchOutcome } from "../runtime/transport.js";
import type { XdrReader, XdrWriter } from "../xdr/index.js";
import type { CallLedger } from "./invariants.js";

export const LEDGER_PROGRAM = 0x2000_4c50;
export const LEDGER_VERSION = 1;
export const LEDGER_CALL = 1;

/** FNV-1a over bytes: a cheap digest the handler returns and the caller recomputes. */
export function digest(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

/** Deterministic reply bytes for call `id`. */
export function replyPayload(id: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = (id * 2654435761) >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The canonical string of a result, for the ledger. */
export function resultKey(id: number, payloadDigest: number, reply: Uint8Array): string {
  return `${id}:${payloadDigest}:${reply.length}:${digest(reply)}`;
}

export interface LedgerArgs {
  id: number;
  delayMs: number;
  replyBytes: number;
  payload: Uint8Array;
}

/** The request for one ledger call (what the runtime would build from a descriptor). */
export function ledgerRequest(
  args: LedgerArgs,
  timeoutMs: number,
): CallRequest<{ id: number; payloadDigest: number; reply: Uint8Array }> {
  return {
    program: LEDGER_PROGRAM,
    version: LEDGER_VERSION,
    procedure: LEDGER_CALL,
    procedureName: "LEDGER_CALL",
    timeoutMs,
    writeArgs: (w: XdrWriter) => {
      w.writeUint(args.id);
      w.writeUint(args.delayMs);
      w.writeUint(args.replyBytes);
      w.writeVarOpaque(args.payload);
    },
    readResult: (r: XdrReader) => ({
      id: r.readUint(),
      payloadDigest: r.readUint(),
      reply: r.readVarOpaque(),
    }),
  };
}

/** A minimal dispatcher serving the ledger program and procedure 0. */
export function ledgerDispatcher(ledger: CallLedger, clock: Clock): Dispatcher {
  return {
    dispatch(call): DispatchOutcome | Promise<DispatchOutcome> {
      if (call.program !== LEDGER_PROGRAM) return { status: "prog_unavail" };
      if (call.version !== LEDGER_VERSION) {
        return { status: "prog_mismatch", low: LEDGER_VERSION, high: LEDGER_VERSION };
      }
      if (call.procedure === 0) return { status: "success", writeResult: () => {} };
      if (call.procedure !== LEDGER_CALL) return { status: "proc_unavail" };
      let args: LedgerArgs;
      try {
        const r = call.args;
        args = {
          id: r.readUint(),
          delayMs: r.readUint(),
          replyBytes: r.readUint(),
          payload: r.readVarOpaque(),
        };
        r.assertEnd();
      } catch {
        return { status: "garbage_args" };
      }
      const d = digest(args.payload);
      const reply = replyPayload(args.id, args.replyBytes);
      ledger.executed(args.id, resultKey(args.id, d, reply));
      const outcome: DispatchOutcome = {
        status: "success",
        writeResult: (w) => {
          w.writeUint(args.id);
          w.writeUint(d);
          w.writeVarOpaque(reply);
        },
      };
      if (args.delayMs === 0) return outcome;
      return new Promise((resolve) => clock.setTimeout(() => resolve(outcome), args.delayMs));
    },
  };
}
