/**
 * The thread-pool server: `node dist/examples/thread-pool/server.js [threads]` serves
 * PRIMES_PROG on udp://127.0.0.1:0 and tcp://127.0.0.1:0 with COUNT_PRIMES running in a pool of
 * worker threads, and prints its ports.
 */
import { createServer } from "../../src/index.js";
import { createWorkerPool } from "../../src/io/node/worker-pool.js";
import { PrimesV1 } from "./primes.js";

const threads = Number(process.argv[2] ?? 2);
const pool = createWorkerPool({ module: new URL("./primes-worker.js", import.meta.url), threads });
const server = createServer();
server.register(PrimesV1, pool.handlers(PrimesV1));
const [udp, tcp] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
console.log(`primes: ${threads} worker threads, udp ${udp!.port} tcp ${tcp!.port}`);
process.once("SIGINT", async () => {
  await server.close();
  await pool.close();
});
