/**
 * Options and statistics of a `ClientSession` (see docs/lupine.md for defaults and meaning).
 */
import type { CongestionOptions } from "./congestion.js";
import type { CallOutcome } from "./outcome.js";
import type { ChecksumFn } from "./packet.js";
import type { RttOptions } from "./rtt.js";

/** Options of a {@link ClientSession}. All have defaults except the first three. */
export interface ClientSessionOptions {
  /** Uniform [0, 1) and u32 draws: session ids and jitter. */
  readonly random: { next(): number; nextU32(): number };
  readonly crc: ChecksumFn;
  /** Largest datagram to send (the path MTU minus IP/UDP headers). */
  readonly maxDatagramBytes: number;
  readonly rtt?: RttOptions;
  /** Congestion controller settings (`lossTolerant`, `queueDelayMs`, ...). */
  readonly congestion?: Omit<CongestionOptions, "maxDatagramBytes">;
  /** Calls sent and not settled, at most (default 256; the server's Welcome may lower it). */
  readonly maxCallsInFlight?: number;
  /** Calls waiting for the window, at most; more fail at once as busy (default 100,000). */
  readonly maxQueuedCalls?: number;
  /** Unanswered transmissions (request, Hello) or probes before giving up (default 10). */
  readonly maxAttempts?: number;
  /** Back-off jitter: delays vary uniformly by ±jitter/2 (default 0.5). */
  readonly jitter?: number;
  /** Probe interval after the first Working, and its cap (defaults 20 ms and 2 s). */
  readonly probeInitialMs?: number;
  readonly probeMaxMs?: number;
  /** Longest a received reply waits for its Ack to ride on other traffic (default 5 ms). */
  readonly ackDelayMs?: number;
  /** Largest reply accepted, bytes (default 2 GiB − 1). */
  readonly maxMessageBytes?: number;
  /** Reply bytes being reassembled at once, at most (default 4 GiB). */
  readonly maxReassemblyBytes?: number;
  /** Receives every outcome, once per call. */
  readonly onSettle: (token: unknown, outcome: CallOutcome) => void;
  /**
   * Receives replies instead of `onSettle` when set: the payload is `bytes[start, end)`, and
   * `view`, when given, is a DataView over `bytes` (so a decoder need not make one per reply).
   * Valid only during the call: the bytes belong to a received datagram.
   */
  readonly onReply?: (
    token: unknown,
    bytes: Uint8Array,
    start: number,
    end: number,
    view: DataView | undefined,
  ) => void;
}

/** Counters and path state of one session (see docs/protocol.md "Observability"). */
export interface ClientSessionStats {
  readonly epoch: number;
  readonly srttMs: number;
  readonly rttvarMs: number;
  readonly rtoMs: number;
  readonly cwndBytes: number;
  readonly bytesInFlight: number;
  readonly callsInFlight: number;
  readonly callsQueued: number;
  readonly reassemblyBytes: number;
  readonly datagramsSent: number;
  readonly datagramsReceived: number;
  readonly retransmissions: number;
  readonly duplicatesDropped: number;
  readonly corruptDropped: number;
  readonly busyAnswers: number;
  readonly resets: number;
  /** Window reductions (congestion events) and losses repaired without one. */
  readonly congestionEvents: number;
  readonly toleratedLosses: number;
  /** Window reductions by cause. */
  readonly reductions: { queue: number; lossRate: number; timeout: number; loss: number };
  readonly minRttMs: number;
}
