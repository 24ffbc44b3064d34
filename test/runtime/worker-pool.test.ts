/** The thread-pool server: results and failures come back through the transports unchanged. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { threadId } from "node:worker_threads";
import { countPrimes, PrimesV1 } from "../../examples/thread-pool/primes.js";
import { createClient, createServer, silentLogger } from "../../src/index.js";
import { createWorkerPool } from "../../src/io/node/worker-pool.js";

test("handlers run in worker threads; results and failures come back over UDP and TCP", async () => {
  const pool = createWorkerPool({
    module: new URL("../../examples/thread-pool/primes-worker.js", import.meta.url),
    threads: 2,
  });
  const server = createServer({ logger: silentLogger });
  server.register(PrimesV1, pool.handlers(PrimesV1));
  const [u, t] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
  try {
    for (const target of [`udp://127.0.0.1:${u!.port}`, `tcp://127.0.0.1:${t!.port}`]) {
      const c = createClient(PrimesV1, target);
      const limits = [1000, 20_000, 50_000, 7, 2, 100_000];
      assert.deepEqual(
        await Promise.all(limits.map((n) => c.countPrimes(n))),
        limits.map(countPrimes),
      );
      await assert.rejects(c.fail(), { code: "system_err" });
      await c.nullProc();
      await c.$close();
    }
    assert.ok(pool.stats.completed >= 14);
    assert.equal(threadId, 0, "the test itself runs on the main thread");
  } finally {
    await server.close();
    await pool.close();
  }
});
