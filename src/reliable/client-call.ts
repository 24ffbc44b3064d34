/**
 * One call as the client side of the reliable layer tracks it (the state of a call from the
 * client's side in docs/protocol.md "Call states").
 */
import type { CallPhase, PhaseTimes } from "./outcome.js";
import type { Reassembler } from "./reassembler.js";
import type { SendWindow } from "./send-window.js";

/** Client call states. */
export const ClientState = {
  /** Waiting for a slot in the window (or for a Busy's retry time). */
  Queued: 0,
  /** Request sent, nothing heard: retransmit on the RTO. */
  Sent: 1,
  /** The server has the whole request (Working, or every fragment acked): probe. */
  Executing: 2,
  /** Reply fragments arriving. */
  Receiving: 3,
  /** Settled; kept by nobody. */
  Done: 4,
} as const;

export class ClientCall {
  /** The adapter's handle, passed back with the outcome. */
  token: unknown;
  /** The request payload, as segments (never copied). */
  readonly chunks: readonly Uint8Array[];
  readonly bytes: number;
  readonly startedMs: number;
  readonly deadlineMs: number;
  state: number = ClientState.Queued;
  /** Sequence number, assigned at first transmission (0 before). */
  seq = 0;
  /** Session generation the call was sent in (a reset starts a new one). */
  generation = 0;
  transmissions = 0;
  /** Retransmissions (request) or probes (executing) since the last answer. */
  attempt = 0;
  /** Answered probes so far (the probe interval grows with them). */
  probesAnswered = 0;
  firstSentMs = Number.NaN;
  executingSinceMs = Number.NaN;
  receivingSinceMs = Number.NaN;
  lastHeardMs = Number.NaN;
  /** When the latest probe left. */
  probeSentMs = Number.NaN;
  /** When the next retransmission, probe or busy retry is due (+∞: none). */
  actionMs = Number.POSITIVE_INFINITY;
  /** When a FragmentAck of the reply is due (+∞: none). */
  fragmentAckMs = Number.POSITIVE_INFINITY;
  /** Position in the session's timer heap (-1: not in it); maintained by the heap. */
  heapIndex = -1;
  /** Last Busy hint, and how many Busy answers so far. */
  busyRetryAfterMs = 0;
  busyCount = 0;
  window: SendWindow | null = null;
  reply: Reassembler | null = null;
  /** Reply fragments received since the last FragmentAck. */
  unackedFragments = 0;

  constructor(options: {
    token: unknown;
    chunks: readonly Uint8Array[];
    bytes: number;
    nowMs: number;
    timeoutMs: number;
  }) {
    this.token = options.token;
    this.chunks = options.chunks;
    this.bytes = options.bytes;
    this.startedMs = options.nowMs;
    this.deadlineMs = options.nowMs + options.timeoutMs;
  }

  /** Where the call is now. */
  get phase(): CallPhase {
    switch (this.state) {
      case ClientState.Sent:
        return "waiting-for-ack";
      case ClientState.Executing:
        return "executing";
      case ClientState.Receiving:
        return "receiving-reply";
      default:
        return "queued";
    }
  }

  /** How long the call spent in each phase up to `nowMs`. */
  times(nowMs: number): PhaseTimes {
    const sent = Number.isNaN(this.firstSentMs) ? nowMs : this.firstSentMs;
    const exec = Number.isNaN(this.executingSinceMs) ? Number.NaN : this.executingSinceMs;
    const recv = Number.isNaN(this.receivingSinceMs) ? Number.NaN : this.receivingSinceMs;
    const ackEnd = !Number.isNaN(exec) ? exec : !Number.isNaN(recv) ? recv : nowMs;
    const execEnd = !Number.isNaN(recv) ? recv : nowMs;
    return {
      queuedMs: sent - this.startedMs,
      waitingForAckMs: Math.max(0, ackEnd - sent),
      executingMs: Number.isNaN(exec) ? 0 : Math.max(0, execEnd - exec),
      receivingReplyMs: Number.isNaN(recv) ? 0 : nowMs - recv,
    };
  }
}
