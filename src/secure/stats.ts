/**
 * Counters of the secure transport: every dropped packet is counted under exactly one reason, so
 * tests (and operators) can check that tampered, replayed or forged packets were all rejected.
 */
import { DataDrop } from "./transport-keys.js";

/** Why a packet was dropped (data drops from `transport-keys.ts`, plus handshake-level ones). */
export const DROP_REASONS = {
  ...DataDrop,
  /** Not a packet of ours, wrong length, non-zero reserved bytes, bad field. */
  Malformed: "malformed",
  /** A packet type this side never receives (e.g. a response sent to a server). */
  Unexpected: "unexpected",
  /** Initiation whose mac1 is wrong: the sender does not know our public key. */
  BadMac1: "bad-mac1",
  /** Handshake over the admission budget (`admission.ts`). */
  RateLimited: "rate-limited",
  /** Answering would send more than 3× the bytes received from an unvalidated address. */
  AmplificationLimit: "amplification-limit",
  /** A handshake message failed Noise processing (wrong keys, tampered, forged). */
  HandshakeFailed: "handshake-failed",
  /** A client key not on the allow-list (the server answers with an authenticated refusal). */
  NotAuthorized: "not-authorized",
  /** An initiation whose timestamp is not newer than the last one from that client key. */
  ReplayedInitiation: "replayed-initiation",
  /** A data packet for a session index we do not hold. */
  UnknownSession: "unknown-session",
  /** A response or cookie reply that matches no handshake in progress, or whose tag is wrong. */
  NoHandshake: "no-handshake",
} as const;
/** One of {@link DROP_REASONS}' values. */
export type DropReason = (typeof DROP_REASONS)[keyof typeof DROP_REASONS];

/** Counters of one initiator or responder. */
export interface SecureStats {
  /** Handshakes completed (responder: responses sent; initiator: responses accepted). */
  handshakes: number;
  /** Data packets sealed and opened (authenticated and delivered). */
  sealed: number;
  opened: number;
  cookieReplies: number;
  /** Drops by reason. */
  readonly dropped: Record<DropReason, number>;
}

/** Zeroed counters. */
export function newSecureStats(): SecureStats {
  const dropped = {} as Record<DropReason, number>;
  for (const reason of Object.values(DROP_REASONS)) dropped[reason] = 0;
  return { handshakes: 0, sealed: 0, opened: 0, cookieReplies: 0, dropped };
}

/** Total drops over all reasons. */
export function totalDropped(stats: SecureStats): number {
  let n = 0;
  for (const v of Object.values(stats.dropped)) n += v;
  return n;
}
