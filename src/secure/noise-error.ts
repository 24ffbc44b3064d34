/**
 * Why a Noise operation failed. Noise §5 says a failed handshake operation aborts the handshake;
 * the Noise objects here throw {@link NoiseError}, and the state machines above them
 * (`initiator.ts`, `responder.ts`) turn it into a counted, dropped packet — never a crash.
 */

/** The closed set of Noise failure reasons. */
export const NoiseFailure = {
  /** An AEAD tag did not verify: tampered, truncated, forged, or the wrong key. */
  DecryptFailed: "decrypt-failed",
  /** A message is shorter than its pattern requires, or longer than 65535 bytes (§3). */
  BadLength: "bad-length",
  /** A DH gave an invalid result (low-order public key). */
  BadPublicKey: "bad-public-key",
  /** The nonce reached its limit; the key must not be used any more (§5.1). */
  NonceExhausted: "nonce-exhausted",
  /** A call out of order: writing when it is the peer's turn, splitting before the end, etc. */
  BadState: "bad-state",
} as const;
/** One of {@link NoiseFailure}'s values. */
export type NoiseFailure = (typeof NoiseFailure)[keyof typeof NoiseFailure];

/** A Noise operation failed; `reason` says why. */
export class NoiseError extends Error {
  override readonly name = "NoiseError";
  readonly reason: NoiseFailure;
  constructor(reason: NoiseFailure, message: string, options?: { cause?: unknown }) {
    super(`[${reason}] ${message}`, options);
    this.reason = reason;
  }
}
