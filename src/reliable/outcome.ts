/**
 * What became of a call, as the reliable layer reports it to its adapter: values, not exceptions
 * (the adapter maps them to `RpcError`). `phase` and the per-phase times say where the time went.
 */

/** Where a call is: queued locally, sent and not known received, executing, reply arriving. */
export type CallPhase = "queued" | "waiting-for-ack" | "executing" | "receiving-reply";

/** Time a call spent in each phase, ms. */
export interface PhaseTimes {
  readonly queuedMs: number;
  readonly waitingForAckMs: number;
  readonly executingMs: number;
  readonly receivingReplyMs: number;
}

export type CallOutcome =
  /** The reply's payload (a view into a received datagram or a reassembly buffer). */
  | { readonly kind: "reply"; readonly body: Uint8Array }
  /** The call's deadline passed. */
  | {
      readonly kind: "deadline";
      readonly phase: CallPhase;
      readonly elapsedMs: number;
      readonly transmissions: number;
      readonly times: PhaseTimes;
    }
  /**
   * Too many transmissions or probes went unanswered: the server or the path is gone. In phase
   * `connecting` only Hellos were sent (the call never left); in any other phase the call was
   * sent and may have run.
   */
  | {
      readonly kind: "gave-up";
      readonly phase: CallPhase | "connecting";
      readonly attempts: number;
      readonly elapsedMs: number;
    }
  /**
   * The call was sent to a server incarnation or session that no longer exists, or to a server
   * that stopped answering (port unreachable, or another call of the session gave up): it may
   * or may not have run, and is not retried (at-most-once).
   */
  | {
      readonly kind: "outcome-unknown";
      readonly reason: "server-restarted" | "session-expired" | "server-unreachable";
    }
  /** Nothing listens at the server's address (ICMP port unreachable) before the session opened. */
  | { readonly kind: "refused" }
  /** The server refused the call (not executed) until the deadline passed. */
  | { readonly kind: "busy"; readonly retryAfterMs: number; readonly attempts: number }
  | { readonly kind: "canceled" }
  | { readonly kind: "closed" }
  /** The request or reply exceeds a configured size limit. */
  | { readonly kind: "too-large"; readonly bytes: number; readonly limitBytes: number };
