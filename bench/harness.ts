/**
 * The benchmark harness behind `npm run bench`: every `bench/*.bench.ts` module exports `run`,
 * which measures its systems side by side in one run and returns rows; the runner (`run.ts`)
 * prints them grouped, with ratios to each group's baseline and to the reference systems (raw
 * dgram echo, Node TCP echo, grpc-js) where a group has them, and writes
 * `bench/results/latest.json`, from which `npm run bench:report` writes `docs/benchmarks.md` and
 * its chart.
 *
 * Benchmarks never fail tests on their numbers. `--quick` shrinks every measured window to a
 * seconds-long smoke run, which `bench/smoke.test.ts` runs inside `npm test` so the harness
 * cannot rot.
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
  /**
   * What the row measures, for rows of the cross-system comparison (`compare.bench.ts`), so the
   * report can chart them: e.g. `calls`, `p50`, `p99`, `cpu-client`, `cpu-server`, `bulk`,
   * `lossy-calls`. Absent on per-area rows.
   */
  readonly figure?: string;
  /** Calls kept in flight, where the figure depends on it. */
  readonly inFlight?: number;
  /**
   * The value of each round, in round order (`null`: none that round), for rows measured in
   * interleaved rounds. Rows of one group measured in the same rounds pair up by index, and a
   * ratio can be taken round by round (`pairedRatio` in print.ts): the machine's speed drifts
   * between rounds more than between two systems' windows of one round.
   */
  readonly rounds?: readonly (number | null)[];
}

/**
 * Systems every figure of a group is also compared with when the group has them: the ceilings
 * (what plain Node sockets do with no RPC at all) and the RPC system most Node users know.
 */
export const REFERENCE_SYSTEMS = ["raw dgram echo", "node tcp echo", "grpc-js"] as const;

export interface BenchOptions {
  /** Seconds-long smoke run (CI), not a measurement. */
  readonly quick: boolean;
  /** Substring filters from the command line; a module may use them to skip parts. */
  readonly filters: readonly string[];
}

/**
 * A benchmark module. `keywords` are filter words that select the module besides its file
 * name (e.g. the comparison module answers to `lupine`, `grpc`, `bulk`); the module then reads
 * `options.filters` itself to pick its parts.
 */
export type BenchModule = {
  run(options: BenchOptions): Promise<BenchRow[]>;
  readonly keywords?: readonly string[];
};

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
