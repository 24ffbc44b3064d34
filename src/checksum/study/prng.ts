/**
 * The study's one seeded PRNG: xoshiro128** (Blackman & Vigna), seeded through splitmix32, so a
 * run replays exactly from `--seed`. Pure; implements the `Random` interface of `io/random.ts`.
 * Statistical quality is ample for drawing messages and error positions; it is not for secrets.
 */
import type { Random } from "../../io/random.js";

/** A {@link Random} that also fills buffers in place (no allocation per message). */
export interface SeededRandom extends Random {
  readonly seed: number;
  /** Fills `out` with random bytes. */
  fill(out: Uint8Array): void;
  /** A uniform integer in [0, n), n ≤ 2^32. */
  below(n: number): number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates the PRNG for `seed` (an integer; only its low 32 bits count). */
export function createSeededRandom(seed: number): SeededRandom {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const fill = (out: Uint8Array): void => {
    let i = 0;
    for (; i + 4 <= out.length; i += 4) {
      const r = nextU32();
      out[i] = r;
      out[i + 1] = r >>> 8;
      out[i + 2] = r >>> 16;
      out[i + 3] = r >>> 24;
    }
    if (i < out.length) {
      const r = nextU32();
      for (let k = 0; i < out.length; i++, k++) out[i] = r >>> (8 * k);
    }
  };
  return {
    seed: seed >>> 0,
    nextU32,
    next: () => nextU32() / 0x1_0000_0000,
    below: (n) => Math.floor((nextU32() / 0x1_0000_0000) * n),
    bytes: (n) => {
      const out = new Uint8Array(n);
      fill(out);
      return out;
    },
    fill,
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
