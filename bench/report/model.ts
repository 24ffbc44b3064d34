/**
 * The results file `npm run bench` writes (`bench/results/latest.json`), and the lookups the
 * report needs: which systems the comparison measured, and one figure of one system.
 */
import type { BenchRow } from "../harness.js";
import type { MachineInfo } from "../machine.js";
import { hasValue } from "../print.js";

/** The JSON of one run. */
export interface BenchResult {
  readonly date: string;
  readonly seconds: number;
  readonly command: string;
  readonly quick: boolean;
  readonly machine: MachineInfo;
  readonly loadAfter: readonly number[];
  readonly failures: readonly { module: string; error: string }[];
  readonly rows: readonly BenchRow[];
}

/** Parses a results file (JSON writes NaN as null: such rows have no value). */
export function parseResult(json: string): BenchResult {
  const r = JSON.parse(json) as BenchResult;
  if (!Array.isArray(r.rows) || typeof r.machine !== "object")
    throw new Error("not a results file of `npm run bench`");
  return {
    ...r,
    rows: r.rows.map((row) => (row.value === null ? { ...row, value: Number.NaN } : row)),
    failures: r.failures ?? [],
  };
}

/** The comparison's systems, in the order of its rows. */
export function comparedSystems(rows: readonly BenchRow[]): string[] {
  const seen: string[] = [];
  for (const r of rows)
    if (r.figure !== undefined && !r.figure.startsWith("interop") && !seen.includes(r.system))
      seen.push(r.system);
  return seen;
}

/** The row of `figure` (at `inFlight`) for `system`, if it has a value. */
export function figureOf(
  rows: readonly BenchRow[],
  system: string,
  figure: string,
  inFlight?: number,
): BenchRow | undefined {
  return rows.find(
    (r) =>
      r.system === system &&
      r.figure === figure &&
      (inFlight === undefined || r.inFlight === inFlight) &&
      hasValue(r),
  );
}

/** The depths the comparison measured small calls at. */
export function depthsOf(rows: readonly BenchRow[]): number[] {
  const d = new Set<number>();
  for (const r of rows) if (r.figure === "calls" && r.inFlight !== undefined) d.add(r.inFlight);
  return [...d].sort((a, b) => a - b);
}
