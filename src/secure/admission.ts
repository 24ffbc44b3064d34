/**
 * Handshake admission control: decides, before any DH work, whether an initiation (whose mac1
 * already verified) is processed, answered with a cookie reply, or dropped. WireGuard's "under
 * load" rule (paper §5.3, §5.4.7) with explicit budgets:
 *
 * - While the global budget for unproven sources (`unprovenHandshakesPerSecond`) has tokens, an
 *   initiation is processed without a cookie (the common, unloaded case: one round trip).
 * - Beyond it the server is under load: an initiation without a valid mac2 gets a cookie reply
 *   (itself limited by `cookieRepliesPerSecond`; beyond that, dropped). Spoofed sources never
 *   receive the cookie, so they can never cause DH work beyond the unproven budget.
 * - An initiation with a valid mac2 comes from a proven address: it is limited per address
 *   (`handshakesPerSecondPerAddress`, burst `handshakeBurstPerAddress`, WireGuard's 20/s, 5) and
 *   by the global ceiling `maxHandshakesPerSecond`.
 *
 * So handshake CPU is bounded by `maxHandshakesPerSecond` whatever arrives, and a flood of spoofed
 * initiations costs the server one MAC each (plus two for the cookie reply, within its budget).
 */
import { BucketTable, TokenBucket } from "./rate-limit.js";

/** Budgets of the handshake admission control (all per second, over all sources unless noted). */
export interface AdmissionLimits {
  /** Handshakes a second from addresses without a cookie, before the server demands cookies. */
  readonly unprovenHandshakesPerSecond: number;
  /** Handshakes a second in total, proven or not: the CPU ceiling. */
  readonly maxHandshakesPerSecond: number;
  /** Handshakes a second from one proven address, and its burst. */
  readonly handshakesPerSecondPerAddress: number;
  readonly handshakeBurstPerAddress: number;
  /** Cookie replies a second, in total. */
  readonly cookieRepliesPerSecond: number;
  /** Addresses whose per-address bucket is remembered. */
  readonly maxTrackedAddresses: number;
}

/** Defaults: 200 unproven and 1,000 total handshakes/s, 20/s (burst 5) per proven address. */
export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = {
  unprovenHandshakesPerSecond: 200,
  maxHandshakesPerSecond: 1000,
  handshakesPerSecondPerAddress: 20,
  handshakeBurstPerAddress: 5,
  cookieRepliesPerSecond: 10_000,
  maxTrackedAddresses: 4096,
};

/** What to do with an initiation. */
export type AdmissionDecision = "process" | "send-cookie" | "drop";

/** Decides per initiation: process, answer with a cookie, or drop (see the module comment). */
export class HandshakeAdmission {
  private readonly unproven: TokenBucket;
  private readonly total: TokenBucket;
  private readonly cookies: TokenBucket;
  private readonly perAddress: BucketTable;

  constructor(limits: AdmissionLimits, nowMs: number) {
    this.unproven = new TokenBucket(
      limits.unprovenHandshakesPerSecond,
      Math.max(1, limits.unprovenHandshakesPerSecond / 10),
      nowMs,
    );
    this.total = new TokenBucket(
      limits.maxHandshakesPerSecond,
      Math.max(1, limits.maxHandshakesPerSecond / 10),
      nowMs,
    );
    this.cookies = new TokenBucket(
      limits.cookieRepliesPerSecond,
      Math.max(1, limits.cookieRepliesPerSecond / 10),
      nowMs,
    );
    this.perAddress = new BucketTable({
      ratePerSecond: limits.handshakesPerSecondPerAddress,
      burst: limits.handshakeBurstPerAddress,
      maxEntries: limits.maxTrackedAddresses,
    });
  }

  /**
   * Decides for one initiation from `address`; `proven` says whether its mac2 verified. Takes the
   * tokens it spends (call once per initiation).
   */
  decide(address: string, proven: boolean, nowMs: number): AdmissionDecision {
    if (proven) {
      return this.perAddress.take(address, nowMs) && this.total.take(nowMs) ? "process" : "drop";
    }
    if (this.unproven.take(nowMs)) return this.total.take(nowMs) ? "process" : "drop";
    return this.cookies.take(nowMs) ? "send-cookie" : "drop";
  }
}
