/**
 * The thread-pool server: `node dist/examples/thread-pool/server.js [threads]` serves
 * PRIMES_PROG on udp://127.0.0.1:0 and tcp://127.0.0.1:0 with COUNT_PRIMES running in a pool of
 * worker threads (`0`: inline on the event loop, for comparison), and prints its ports.
 */
import { createServer } from "../../src/index.js";
import { createWorkerPool } from "../../src/io/node/worker-pool.js";
import { PrimesV1, primesHandlers } from "./primes.js";

const threads = Number(process.argv[2] ?? 2);
const pool =
  threads > 0
    ? createWorkerPool({ module: new URL("./primes-worker.js", import.meta.url), threads })
    : undefined;
const server = createServer();
server.register(PrimesV1, pool?.handlers(PrimesV1) ?? primesHandlers);
const [udp, tcp] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
console.log(
  `ready udp ${udp!.port} tcp ${tcp!.port} (${threads > 0 ? `${threads} worker threads` : "inline"})`,
);
process.once("SIGINT", async () => {
  await server.close();
  await pool?.close();
});
