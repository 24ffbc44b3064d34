/**
 * The thread-pool server on a CPU-bound procedure (COUNT_PRIMES(200 000), a few ms of
 * arithmetic): calls/s with the handler inline on the event loop, in a pool of 1 worker thread,
 * and in a pool of 2 — on this 2-core machine two threads should nearly double throughput. The
 * server runs in its own process; the client (this process, 16 calls in flight over TCP) is
 * light.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PrimesV1 } from "../examples/thread-pool/primes.js";
import { createClient } from "../src/index.js";
import { type BenchOptions, type BenchRow, summarize } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const serverJs = join(here, "..", "examples", "thread-pool", "server.js");
const LIMIT = 200_000;

async function measure(threads: number, ms: number, rounds: number): Promise<number[]> {
  const child = spawn(process.execPath, [serverJs, String(threads)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /tcp (\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  const c = createClient(PrimesV1, `tcp://127.0.0.1:${port}`, { timeoutMs: 60_000 });
  try {
    await Promise.all(Array.from({ length: 8 }, () => c.countPrimes(LIMIT))); // warm up the JIT
    const samples: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let calls = 0;
      const start = performance.now();
      const end = start + ms;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (performance.now() < end) {
            await c.countPrimes(LIMIT);
            calls++;
          }
        }),
      );
      samples.push((calls * 1000) / (performance.now() - start));
    }
    return samples;
  } finally {
    await c.$close();
    child.kill("SIGKILL");
  }
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const ms = options.quick ? 500 : 3000;
  const rounds = options.quick ? 1 : 3;
  const rows: BenchRow[] = [];
  const group = `thread pool: COUNT_PRIMES(${LIMIT}) calls/s, 16 in flight`;
  for (const [system, threads] of [
    ["inline on the event loop", 0],
    ["pool, 1 worker thread", 1],
    ["pool, 2 worker threads", 2],
  ] as const) {
    const s = summarize(await measure(threads, ms, rounds));
    rows.push({
      group,
      system,
      ...s,
      unit: "calls/s",
      better: "higher",
      ...(threads === 1 ? { baseline: true } : {}),
      note: `${rounds}×${ms} ms`,
    });
  }
  return rows;
}
