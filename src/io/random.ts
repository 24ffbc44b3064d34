/**
 * Randomness, as the layers above see it: one source per process in production
 * (`io/node/random.ts`, crypto-strong), one seeded PRNG per simulation in tests, so that every
 * random choice (jitter, ids, fault injection) replays from the seed.
 */
export interface Random {
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform unsigned 32-bit integer. */
  nextU32(): number;
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
}
