/**
 * A CPU-bound program for the thread-pool example and benchmark: COUNT_PRIMES(limit) counts the
 * primes below `limit` by trial division (about 4 ms for limit 200 000 on this machine).
 */
import { defineProgram, xdr } from "../../src/index.js";

export const PrimesV1 = defineProgram({
  name: "PRIMES_PROG",
  program: 0x20005555,
  version: 1,
  procedures: {
    nullProc: { procedure: 0, name: "NULL", args: [], result: xdr.void },
    countPrimes: { procedure: 1, name: "COUNT_PRIMES", args: [xdr.uint], result: xdr.uint },
    fail: { procedure: 2, name: "FAIL", args: [], result: xdr.void },
  },
});

/** The primes below `limit`, counted the slow way. */
export function countPrimes(limit: number): number {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/** The handlers, as run inline on the event loop or in a worker. */
export const primesHandlers = {
  countPrimes: (limit: number) => countPrimes(limit),
  fail: (): void => {
    throw new Error("failed in a worker");
  },
};
