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

/** Starts a server with `threads` workers (0: inline) and a client for it. */
async function start(threads: number) {
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
  const client = createClient(PrimesV1, `tcp://127.0.0.1:${port}`, { timeoutMs: 60_000 });
  await Promise.all(Array.from({ length: 8 }, () => client.countPrimes(LIMIT))); // warm up the JIT
  return { child, client };
}

/** Calls/s over `ms` with 16 calls in flight. */
async function measure(
  client: Awaited<ReturnType<typeof start>>["client"],
  ms: number,
): Promise<number> {
  let calls = 0;
  const begin = performance.now();
  const end = begin + ms;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < end) {
        await client.countPrimes(LIMIT);
        calls++;
      }
    }),
  );
  return (calls * 1000) / (performance.now() - begin);
}

export async function run(options: BenchOptions): Promise<BenchRow[]> {
  const ms = options.quick ? 150 : 2000;
  const rounds = options.quick ? 1 : 5;
  const group = `thread pool: COUNT_PRIMES(${LIMIT}) calls/s, 16 in flight`;
  const systems = [
    ["inline on the event loop", 0],
    ["pool, 1 worker thread", 1],
    ["pool, 2 worker threads", 2],
  ] as const;
  const servers = [];
  for (const [, threads] of systems) servers.push(await start(threads));
  const samples = systems.map(() => [] as number[]);
  try {
    // Interleaved rounds: load from other processes falls on every system alike.
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < systems.length; i++)
        samples[i]!.push(await measure(servers[i]!.client, ms));
    }
  } finally {
    for (const s of servers) {
      await s.client.$close();
      s.child.kill("SIGKILL");
    }
  }
  return systems.map(([system, threads], i) => ({
    group,
    system,
    ...summarize(samples[i]!),
    unit: "calls/s",
    better: "higher" as const,
    ...(threads === 1 ? { baseline: true } : {}),
    note: `${rounds}×${ms} ms, interleaved`,
  }));
}
