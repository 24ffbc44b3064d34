/** Runs the thread-pool example's server as its own process and calls it over UDP and TCP. */
import assert from "node:assert/strict";
import { once } from "node:events";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient } from "lupine";
import { startAndWait } from "../../test/helpers/peer.js";
import { PrimesV1 } from "./primes.js";

const SERVER = fileURLToPath(new URL("./server.js", import.meta.url));

test("examples/thread-pool: calls run in the worker threads and come back", async () => {
  const server = await startAndWait(process.execPath, [SERVER, "2"], "ready");
  try {
    assert.match(server.line, /\(2 worker threads\)/);
    const [, udp, tcp] = /udp (\d+) tcp (\d+)/.exec(server.line)!;
    for (const target of [`udp://127.0.0.1:${udp}`, `tcp://127.0.0.1:${tcp}`]) {
      const primes = createClient(PrimesV1, target, { timeoutMs: 10_000 });
      try {
        const counts = await Promise.all([1000, 10_000, 100_000].map((n) => primes.countPrimes(n)));
        assert.deepEqual(counts, [168, 1229, 9592]);
      } finally {
        await primes.$close();
      }
    }
  } finally {
    const exited = once(server.child, "exit");
    server.child.kill("SIGINT");
    await exited;
  }
});
