/**
 * Time and count limits of the secure transport, after WireGuard's (Donenfeld, "WireGuard: Next
 * Generation Kernel Network Tunnel", NDSS 2017, §6.1-6.4): keys are replaced by a new handshake
 * after `rekeyAfter*`, refused after `rejectAfter*`; a handshake is retried with a fresh ephemeral
 * key every `rekeyTimeoutMs` and given up after `rekeyAttemptTimeMs`.
 *
 * Packet counts stay far below 2^53 (JavaScript numbers are exact up to there) and below the
 * ChaCha20-Poly1305 nonce space of 2^64, so the 64-bit counter never wraps.
 */

export interface SecureLimits {
  /** The initiator starts a new handshake after sending this many packets on one key. */
  readonly rekeyAfterPackets: number;
  /** No packet is sent or accepted with a counter at or above this. */
  readonly rejectAfterPackets: number;
  /** The initiator starts a new handshake when its current key is this old (ms). */
  readonly rekeyAfterTimeMs: number;
  /** A key older than this is neither used nor accepted (ms); old keys die with it. */
  readonly rejectAfterTimeMs: number;
  /** A handshake without an answer is retried, with a new ephemeral key, after this (ms). */
  readonly rekeyTimeoutMs: number;
  /** Handshake attempts stop (the peer counts as unreachable) after this long (ms). */
  readonly rekeyAttemptTimeMs: number;
  /** Packets the receive window spans (RFC 6479); a multiple of 32. */
  readonly replayWindowPackets: number;
  /** How often the server's cookie secret changes (ms); cookies live one to two periods. */
  readonly cookieSecretRotationMs: number;
  /** A client stops using a received cookie this long before the secret may change (ms). */
  readonly cookieLatencyMs: number;
}

/** WireGuard's values (§6.1), except the packet limits, which fit JavaScript numbers. */
export const DEFAULT_LIMITS: SecureLimits = {
  rekeyAfterPackets: 2 ** 40,
  rejectAfterPackets: 2 ** 41,
  rekeyAfterTimeMs: 120_000,
  rejectAfterTimeMs: 180_000,
  rekeyTimeoutMs: 5_000,
  rekeyAttemptTimeMs: 90_000,
  replayWindowPackets: 2048,
  cookieSecretRotationMs: 120_000,
  cookieLatencyMs: 5_000,
};

/** The defaults with some values replaced; checks that the result is consistent. */
export function resolveLimits(overrides: Partial<SecureLimits> = {}): SecureLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  if (!(limits.rekeyAfterPackets < limits.rejectAfterPackets)) {
    throw new RangeError("rekeyAfterPackets must be below rejectAfterPackets");
  }
  if (!(limits.rejectAfterPackets <= 2 ** 53)) throw new RangeError("rejectAfterPackets > 2^53");
  if (!(limits.rekeyAfterTimeMs < limits.rejectAfterTimeMs)) {
    throw new RangeError("rekeyAfterTimeMs must be below rejectAfterTimeMs");
  }
  if (limits.replayWindowPackets % 32 !== 0 || limits.replayWindowPackets < 32) {
    throw new RangeError("replayWindowPackets must be a positive multiple of 32");
  }
  if (!(limits.cookieLatencyMs < limits.cookieSecretRotationMs)) {
    throw new RangeError("cookieLatencyMs must be below cookieSecretRotationMs");
  }
  return limits;
}
