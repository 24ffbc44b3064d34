/** The worker module of the thread-pool example: PRIMES_PROG version 1 runs in worker threads. */
import { workerHandlers } from "../../src/runtime/worker.js";
import { PrimesV1, primesHandlers } from "./primes.js";

export default [workerHandlers(PrimesV1, primesHandlers)];
