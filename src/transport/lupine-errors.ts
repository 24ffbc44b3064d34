/**
 * Turns the reliable layer's outcome values into `RpcError`s whose messages say what happened and
 * where the time went (waiting for the ack, executing, receiving the reply).
 */
import type { CallOutcome, PhaseTimes } from "../reliable/outcome.js";
import { RpcError } from "../runtime/errors.js";

const PHASE_WORDS: Record<string, string> = {
  queued: "queued locally",
  "waiting-for-ack": "waiting for the server to acknowledge the request",
  executing: "waiting while the server executed it",
  "receiving-reply": "receiving the reply",
  connecting: "opening the session",
};

const UNKNOWN_WORDS: Record<string, string> = {
  "server-restarted": "was in flight when the server restarted; it may or may not have run",
  "session-expired": "was in flight when the server forgot the session; it may or may not have run",
  "server-unreachable":
    "was in flight when the server stopped answering (port unreachable, or no answer to a call " +
    "of the same session); it may or may not have run",
};

function ms(n: number): string {
  return n >= 100 ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`;
}

function breakdown(t: PhaseTimes): string {
  const parts: string[] = [];
  if (t.queuedMs >= 0.05) parts.push(`queued ${ms(t.queuedMs)}`);
  parts.push(`waiting for ack ${ms(t.waitingForAckMs)}`);
  if (t.executingMs > 0) parts.push(`executing ${ms(t.executingMs)}`);
  if (t.receivingReplyMs > 0) parts.push(`receiving reply ${ms(t.receivingReplyMs)}`);
  return parts.join(", ");
}

/** The `RpcError` for a non-reply outcome of procedure `name`. */
export function outcomeError(name: string, o: Exclude<CallOutcome, { kind: "reply" }>): RpcError {
  switch (o.kind) {
    case "deadline":
      return new RpcError(
        "timeout",
        `${name} timed out after ${ms(o.elapsedMs)} and ${o.transmissions} transmission(s), ` +
          `${PHASE_WORDS[o.phase]} (${breakdown(o.times)})`,
        {
          details: { elapsedMs: o.elapsedMs, transmissions: o.transmissions, phase: o.phase },
        },
      );
    case "gave-up": {
      const details = { elapsedMs: o.elapsedMs, transmissions: o.attempts, phase: o.phase };
      const silence = `no answer from the server after ${o.attempts} attempt(s) over ${ms(o.elapsedMs)}`;
      // `unreachable` promises the request was never sent (the runtime's failover relies on it):
      // true only while opening the session. A call that was sent may have run.
      if (o.phase === "connecting") {
        return new RpcError("unreachable", `${name}: ${silence}, ${PHASE_WORDS[o.phase]}`, {
          details,
        });
      }
      return new RpcError(
        "outcome_unknown",
        `${name}: ${silence}, ${PHASE_WORDS[o.phase]}; it may or may not have run`,
        { details },
      );
    }
    case "outcome-unknown":
      return new RpcError("outcome_unknown", `${name} ${UNKNOWN_WORDS[o.reason]}`);
    case "refused":
      return new RpcError(
        "unreachable",
        `${name}: nothing listens at the server's address (port unreachable)`,
      );
    case "busy":
      return new RpcError(
        "busy",
        `${name}: server busy after ${o.attempts} attempt(s) (last hint ${o.retryAfterMs} ms)`,
        { details: { retryAfterMs: o.retryAfterMs }, remote: true },
      );
    case "canceled":
      return new RpcError("canceled", `${name} was canceled`);
    case "closed":
      return new RpcError("closed", `${name}: the transport was closed`);
    case "too-large":
      return new RpcError(
        "invalid_argument",
        `${name}: message of ${o.bytes} bytes exceeds the limit of ${o.limitBytes}`,
      );
  }
}
