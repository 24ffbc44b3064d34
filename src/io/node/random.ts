/** The production randomness source: `node:crypto`, buffered so small draws stay cheap. */
import { randomBytes, randomFillSync } from "node:crypto";
import type { Random } from "../random.js";

const POOL = 4096;

/** Creates a crypto-strong {@link Random}. */
export function createNodeRandom(): Random {
  const pool = new Uint32Array(POOL / 4);
  let at = pool.length;
  const nextU32 = (): number => {
    if (at === pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    return pool[at++]!;
  };
  return {
    nextU32,
    next: () => nextU32() / 0x1_0000_0000,
    bytes: (n) => new Uint8Array(randomBytes(n)),
  };
}

/** The process-wide instance. */
export const nodeRandom: Random = createNodeRandom();
