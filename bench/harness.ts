/**
 * The benchmark harness behind `npm run bench`: every `bench/*.bench.ts` module exports `run`,
 * which measures its systems side by side in one run and returns rows; the runner prints them
 * grouped, with ratios to each group's baseline, and writes `bench/results/latest.json`.
 *
 * Benchmarks never fail tests. `--quick` (used by the CI smoke run) shrinks every measured window
 * so the harness cannot rot.
 */

/** One measured figure of one system. */
export interface BenchRow {
  /** What is compared, e.g. `xdr: READDIRPLUS3res encode+decode`. Rows of a group share a unit. */
  readonly group: string;
  /** The system measured, e.g. `lupine`, `@stellar/js-xdr`, `raw dgram echo`. */
  readonly system: string;
  /** Median over rounds. */
  readonly value: number;
  /** `ops/s`, `calls/s`, `MB/s`, `ms`, `µs`, ... */
  readonly unit: string;
  /** Whether larger values are better (throughput) or smaller (latency, CPU). */
  readonly better: "higher" | "lower";
  /** Spread over rounds: min and max. */
  readonly min?: number;
  readonly max?: number;
  /** The system the group's ratios are taken against (mark one row per group). */
  readonly baseline?: boolean;
  /** Free-form note (rounds, sizes, why a system is missing). */
  readonly note?: string;
}

export interface BenchOptions {
  /** Seconds-long smoke run (CI), not a measurement. */
  readonly quick: boolean;
  /** Substring filters from the command line; a module may use them to skip parts. */
  readonly filters: readonly string[];
}

export type BenchModule = { run(options: BenchOptions): Promise<BenchRow[]> };

/** Runs `fn` for `rounds` rounds of about `ms` each and returns ops/s per round. */
export function measureOps(fn: () => void, opts: { ms: number; rounds: number; batch?: number }) {
  const batch = opts.batch ?? 100;
  const results: number[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    let ops = 0;
    const start = performance.now();
    let now = start;
    while (now - start < opts.ms) {
      for (let i = 0; i < batch; i++) fn();
      ops += batch;
      now = performance.now();
    }
    results.push((ops * 1000) / (now - start));
  }
  return summarize(results);
}

/** Median, min and max of some samples. */
export function summarize(samples: readonly number[]): { value: number; min: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const value = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { value, min: s[0] ?? Number.NaN, max: s[s.length - 1] ?? Number.NaN };
}
