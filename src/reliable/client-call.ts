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

/**
 * What only long, fragmented, probed or refused calls need: kept apart so that the common small
 * call allocates one compact object (every double-valued field costs V8 a separate heap number).
 */
class CallDetails {
  probesAnswered = 0;
  executingSinceMs = Number.NaN;
  receivingSinceMs = Number.NaN;
  lastHeardMs = Number.NaN;
  probeSentMs = Number.NaN;
  fragmentAckMs = Number.POSITIVE_INFINITY;
  busyRetryAfterMs = 0;
  busyCount = 0;
}

export class ClientCall {
  /** The adapter's handle, passed back with the outcome (the call itself for an adapter that extends this class). */
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
  firstSentMs = Number.NaN;
  /** When the next retransmission, probe or busy retry is due (+∞: none). */
  actionMs = Number.POSITIVE_INFINITY;
  /** Position in the session's timer heap (-1: not in it); maintained by the heap. */
  heapIndex = -1;
  window: SendWindow | null = null;
  reply: Reassembler | null = null;
  private details: CallDetails | null = null;

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

  private get more(): CallDetails {
    if (this.details === null) this.details = new CallDetails();
    return this.details;
  }

  /** Answered probes so far (the probe interval grows with them). */
  get probesAnswered(): number {
    return this.details?.probesAnswered ?? 0;
  }
  set probesAnswered(v: number) {
    this.more.probesAnswered = v;
  }
  get executingSinceMs(): number {
    return this.details?.executingSinceMs ?? Number.NaN;
  }
  set executingSinceMs(v: number) {
    this.more.executingSinceMs = v;
  }
  get receivingSinceMs(): number {
    return this.details?.receivingSinceMs ?? Number.NaN;
  }
  set receivingSinceMs(v: number) {
    this.more.receivingSinceMs = v;
  }
  /** When the server was last heard from about this call (fragments, Working, FragmentAck). */
  get lastHeardMs(): number {
    return this.details?.lastHeardMs ?? Number.NaN;
  }
  set lastHeardMs(v: number) {
    this.more.lastHeardMs = v;
  }
  /** When the latest probe left. */
  get probeSentMs(): number {
    return this.details?.probeSentMs ?? Number.NaN;
  }
  set probeSentMs(v: number) {
    this.more.probeSentMs = v;
  }
  /** When a FragmentAck of the reply is due (+∞: none). */
  get fragmentAckMs(): number {
    return this.details?.fragmentAckMs ?? Number.POSITIVE_INFINITY;
  }
  set fragmentAckMs(v: number) {
    this.more.fragmentAckMs = v;
  }
  /** Last Busy hint, and how many Busy answers so far. */
  get busyRetryAfterMs(): number {
    return this.details?.busyRetryAfterMs ?? 0;
  }
  set busyRetryAfterMs(v: number) {
    this.more.busyRetryAfterMs = v;
  }
  get busyCount(): number {
    return this.details?.busyCount ?? 0;
  }
  set busyCount(v: number) {
    this.more.busyCount = v;
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
