/**
 * The notes on noise of `docs/benchmarks.md`, computed from the run: how loaded the shared
 * machine was, how far the rounds of each comparison figure spread, which figures are near the
 * resolution of the CPU clock or rest on few calls, and which windows failed. Pure: a results
 * object in, Markdown lines out.
 */
import { type BenchRow, summarize } from "../harness.js";
import { fmt, hasValue } from "../print.js";
import { type BenchResult, figureOf } from "./model.js";

/** Seconds of CPU one clock tick of `/proc/PID/stat` is (USER_HZ = 100 on Linux). */
const TICK_S = 0.01;
/** A spread (max − min, relative to the median) above this is called wide. */
const WIDE = 0.25;

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** (max − min) / median of a row measured over several rounds, or undefined. */
export function relativeSpread(r: BenchRow): number | undefined {
  if (!hasValue(r) || r.min === undefined || r.max === undefined || r.value === 0) return undefined;
  const rounds = Number(/^(\d+) rounds?\b/.exec(r.note ?? "")?.[1] ?? 0);
  if (rounds < 2) return undefined;
  return (r.max - r.min) / Math.abs(r.value);
}

function label(r: BenchRow): string {
  return `${r.system} — ${r.group}`;
}

function loadNote(r: BenchResult): string {
  const cores = r.machine.cores;
  const before = r.machine.loadBefore[0] ?? Number.NaN;
  const after = r.loadAfter[0] ?? Number.NaN;
  // The comparison's rows note the load average when it started and ended.
  const during = r.rows
    .map((x) =>
      /load ([\d.]+) [\d.]+ [\d.]+ → ([\d.]+)/.exec(x.figure === undefined ? "" : (x.note ?? "")),
    )
    .find((m) => m !== null);
  const comparison =
    during === undefined ? "" : ` (the comparison: from ${during[1]} to ${during[2]})`;
  // A measured pair keeps about two processes busy itself: more than that is other work.
  const busy =
    before > cores / 2 || after > cores || (during !== undefined && Number(during[2]) > cores);
  return `- **Load.** The 1-minute load average was ${before.toFixed(2)} when the run started and ${after.toFixed(2)} when it ended${comparison}, on ${cores} cores. ${
    busy
      ? "Other work shared the machine during the run: absolute figures are lower (throughput) or higher (latency, CPU per call) than on an idle machine, and they move between runs. Rounds interleave the systems, so each system met about the same load; the ratios are what to read."
      : "The machine was mostly idle; absolute figures still move between runs, and the ratios are what to read."
  }`;
}

function spreadNote(rows: readonly BenchRow[]): string | undefined {
  const spreads = rows
    .filter((r) => r.figure !== undefined && !r.figure.startsWith("interop"))
    .map((r) => ({ r, s: relativeSpread(r) }))
    .filter((x): x is { r: BenchRow; s: number } => x.s !== undefined)
    .sort((a, b) => b.s - a.s);
  if (spreads.length === 0) return undefined;
  const median = summarize(spreads.map((x) => x.s)).value;
  const wide = spreads.filter((x) => x.s > WIDE);
  const worst = wide
    .slice(0, 5)
    .map((x) => `${label(x.r)} (${pct(x.s)})`)
    .join("; ");
  return `- **Spread.** Over the ${spreads.length} comparison figures measured in several rounds, the median spread between the best and the worst round is ${pct(median)} of the median value; ${wide.length} spread by more than ${pct(WIDE)}${wide.length === 0 ? "." : `, the widest: ${worst}. Ratios involving them are uncertain by about as much.`}`;
}

/** CPU rows whose value is within three clock ticks' worth of calls of one window. */
function cpuNote(r: BenchResult): string | undefined {
  const windowMs = r.comparison?.windowMs;
  if (windowMs === undefined) return undefined;
  const coarse: string[] = [];
  let worst = 0;
  for (const row of r.rows.filter((x) => x.figure === "cpu-server" && hasValue(x))) {
    const calls = figureOf(r.rows, row.system, "calls", row.inFlight);
    if (calls === undefined) continue;
    const perWindow = (calls.value * windowMs) / 1000;
    const tick = (TICK_S / perWindow) * 100_000; // s per 100,000 calls one tick amounts to
    worst = Math.max(worst, tick);
    if (row.value < 3 * tick) coarse.push(`${row.system} at ${row.inFlight} in flight`);
  }
  if (worst === 0) return undefined;
  return `- **CPU clock.** A server's CPU time is read in ticks of 10 ms; over a window of ${windowMs / 1000} s one tick is worth up to ${fmt(worst)} s per 100,000 calls (at the lowest call rate). ${
    coarse.length === 0
      ? "Every server CPU figure is at least three ticks' worth."
      : `The server CPU figures of ${coarse.join(", ")} are within three ticks: read them as rough.`
  }`;
}

/** p99 rows resting on fewer than 1,000 calls in a window (the 1% is then a handful of calls). */
function tailNote(r: BenchResult): string | undefined {
  const windowMs = r.comparison?.windowMs;
  if (windowMs === undefined) return undefined;
  const few: string[] = [];
  for (const row of r.rows.filter((x) => x.figure === "p99" && hasValue(x))) {
    const calls = figureOf(r.rows, row.system, "calls", row.inFlight);
    if (calls !== undefined && (calls.value * windowMs) / 1000 < 1000)
      few.push(`${row.system} at ${row.inFlight} in flight`);
  }
  return few.length === 0
    ? undefined
    : `- **Tails.** The p99 of ${few.join(", ")} comes from windows of fewer than 1,000 calls, so a handful of slow calls decide it.`;
}

function failureNote(rows: readonly BenchRow[]): string | undefined {
  const failed = rows.filter((r) => /window\(s\) failed|^failed:/.test(r.note ?? ""));
  if (failed.length === 0) return undefined;
  return `- **Failed windows.** ${failed.map((r) => `${label(r)}: ${(r.note ?? "").replace(/^.*?(\d+ window\(s\) failed|failed)/, "$1")}`).join("; ")}.`;
}

/** The notes, as Markdown list items (empty when the run has no comparison rows). */
export function noiseNotes(r: BenchResult): string[] {
  if (!r.rows.some((x) => x.figure !== undefined)) return [];
  return [loadNote(r), spreadNote(r.rows), cpuNote(r), tailNote(r), failureNote(r.rows)].filter(
    (x): x is string => x !== undefined,
  );
}
