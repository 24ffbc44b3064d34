/**
 * The headline tables of `docs/benchmarks.md`: every compared system's figures as ratios to one
 * reference system (raw dgram echo, the ceiling; grpc-js, what Node users know), read off a run's
 * rows. Pure: rows in, Markdown lines out.
 */
import type { BenchRow } from "../harness.js";
import { fmtRatio, hasValue } from "../print.js";
import { comparedSystems, depthsOf, figureOf } from "./model.js";

/** One column: a figure (at a depth), and how to read one system's value of it. */
interface Column {
  readonly head: string;
  readonly value: (rows: readonly BenchRow[], system: string) => number | undefined;
}

function single(figure: string, inFlight?: number) {
  return (rows: readonly BenchRow[], system: string) =>
    figureOf(rows, system, figure, inFlight)?.value;
}

/** CPU of both sides: client + server seconds per 100,000 calls. */
function cpuBoth(inFlight: number) {
  return (rows: readonly BenchRow[], system: string) => {
    const c = figureOf(rows, system, "cpu-client", inFlight);
    const s = figureOf(rows, system, "cpu-server", inFlight);
    return c === undefined || s === undefined ? undefined : c.value + s.value;
  };
}

/** The columns a run has values for. */
export function headlineColumns(rows: readonly BenchRow[]): Column[] {
  const depths = depthsOf(rows);
  const top = depths[depths.length - 1];
  const lossyDepth = rows.find((r) => r.figure === "lossy-calls" && hasValue(r))?.inFlight;
  const cols: Column[] = depths.map((d) => ({
    head: `calls/s, ${d} in flight`,
    value: single("calls", d),
  }));
  if (depths.includes(1)) cols.push({ head: "p50, 1 in flight", value: single("p50", 1) });
  if (top !== undefined) {
    cols.push({ head: `p99, ${top} in flight`, value: single("p99", top) });
    cols.push({ head: `CPU per call, both sides, ${top} in flight`, value: cpuBoth(top) });
  }
  cols.push({ head: "bulk MB/s", value: single("bulk") });
  if (lossyDepth !== undefined)
    cols.push({
      head: `lossy link calls/s, ${lossyDepth} in flight`,
      value: single("lossy-calls", lossyDepth),
    });
  if (rows.some((r) => r.figure === "lossy-bulk" && hasValue(r)))
    cols.push({ head: "lossy link MB/s", value: single("lossy-bulk") });
  return cols;
}

/** Every other compared system ÷ `reference`, one column per figure; "—" where either is missing. */
export function ratioTable(rows: readonly BenchRow[], reference: string): string[] {
  const systems = comparedSystems(rows).filter((s) => s !== reference);
  const cols = headlineColumns(rows).filter((c) => c.value(rows, reference) !== undefined);
  if (cols.length === 0 || systems.length === 0) return [];
  const cell = (c: Column, s: string) => {
    const v = c.value(rows, s);
    const ref = c.value(rows, reference);
    return v === undefined || ref === undefined || ref === 0 ? "—" : fmtRatio(v / ref);
  };
  return [
    `| system | ${cols.map((c) => c.head).join(" | ")} |`,
    `| --- | ${cols.map(() => "---:").join(" | ")} |`,
    ...systems.map(
      (s) =>
        `| ${s.startsWith("lupine") ? `**${s}**` : s} | ${cols.map((c) => cell(c, s)).join(" | ")} |`,
    ),
  ];
}
