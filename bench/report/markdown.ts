/**
 * `docs/benchmarks.md`, generated from a run's JSON: the machine and code it ran on, the command
 * that reproduces it, the chart, a summary table, and every group with each row's ratio to the
 * reference systems (raw dgram echo, Node TCP echo, grpc-js) or to the group's baseline. Pure: a
 * results object in, Markdown out.
 */
import type { BenchRow } from "../harness.js";
import { fmt, fmtRatios, type Group, groupRows, hasValue } from "../print.js";
import { methodSection } from "./method.js";
import { type BenchResult, comparedSystems, depthsOf, figureOf } from "./model.js";
import { noiseNotes } from "./noise.js";
import { ratioTable } from "./ratios.js";

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A Markdown table; columns after the first are right-aligned (numbers) unless `textual`. */
function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  textual = false,
): string[] {
  return [
    `| ${head.map(cell).join(" | ")} |`,
    `| ${head.map((_, i) => (i === 0 || textual ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
}

function value(r: BenchRow | undefined): string {
  if (r === undefined || !hasValue(r)) return "—";
  return fmt(r.value);
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}

function machineSection(r: BenchResult): string[] {
  const m = r.machine;
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(", ");
  const versions = Object.entries(m.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return table(
    ["", ""],
    [
      [
        "CPU",
        `${m.cpuModel}, ${m.cores} cores${m.cpuMHz === null ? "" : ` at ${Math.round(m.cpuMHz)} MHz`}, ${m.memoryGiB} GiB`,
      ],
      ["kernel, Node", `Linux ${m.kernel}, Node ${m.node}`],
      [
        "load average (1, 5, 15 min)",
        `${load(m.loadBefore)} before the run; ${load(r.loadAfter)} after`,
      ],
      [
        "process layout",
        m.taskset
          ? "each server and client in its own process; servers pinned to core 0, clients to core 1 (taskset)"
          : "each server and client in its own process, unpinned (no taskset)",
      ],
      [
        "code measured",
        `${m.git.commit.slice(0, 12)} “${shorten(m.git.subject, 80)}”${m.git.dirty ? " plus uncommitted changes" : ""}`,
      ],
      ["compared with", versions],
      [
        "run",
        `${r.date.slice(0, 16).replace("T", " ")} UTC, ${Math.round(r.seconds / 60)} min${r.quick ? " — a QUICK smoke run: these numbers are not measurements" : ""}`,
      ],
    ],
    true,
  );
}

function summary(r: BenchResult): string[] {
  const depths = depthsOf(r.rows);
  const systems = comparedSystems(r.rows);
  const top = depths[depths.length - 1];
  const lossyBulk = r.rows.find((x) => x.figure === "lossy-bulk");
  const head = [
    "system",
    ...depths.map((d) => `calls/s, ${d} in flight`),
    ...(depths.includes(1) ? ["p50 µs, 1 in flight"] : []),
    ...(top === undefined
      ? []
      : [`p99 µs, ${top} in flight`, `CPU s per 100k calls, client + server, ${top} in flight`]),
    "bulk MB/s",
    "lossy link calls/s",
    ...(lossyBulk === undefined ? [] : ["lossy link MB/s"]),
  ];
  const rows = systems.map((s) => {
    const cpu = (d: number) => {
      const c = figureOf(r.rows, s, "cpu-client", d);
      const v = figureOf(r.rows, s, "cpu-server", d);
      return c === undefined || v === undefined ? "—" : fmt(c.value + v.value);
    };
    return [
      s.startsWith("lupine") ? `**${s}**` : s,
      ...depths.map((d) => value(figureOf(r.rows, s, "calls", d))),
      ...(depths.includes(1) ? [value(figureOf(r.rows, s, "p50", 1))] : []),
      ...(top === undefined ? [] : [value(figureOf(r.rows, s, "p99", top)), cpu(top)]),
      value(figureOf(r.rows, s, "bulk")),
      value(r.rows.find((x) => x.system === s && x.figure === "lossy-calls" && hasValue(x))),
      ...(lossyBulk === undefined ? [] : [value(figureOf(r.rows, s, "lossy-bulk"))]),
    ];
  });
  return table(head, rows);
}

/** A few sentences read off the rows: Lupine's figures against the references. */
function headlines(r: BenchResult): string[] {
  const depths = depthsOf(r.rows);
  const top = depths[depths.length - 1];
  const out: string[] = [];
  const vs = (row: BenchRow | undefined, figure: string, inFlight?: number) => {
    if (row === undefined) return "";
    const parts = ["raw dgram echo", "node tcp echo", "grpc-js"].flatMap((ref) => {
      const x = figureOf(r.rows, ref, figure, inFlight);
      const q = x === undefined ? "" : fmtRatios(row, x);
      return q === "" ? [] : [`${q} ${ref}`];
    });
    return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
  };
  for (const s of comparedSystems(r.rows).filter((x) => x.startsWith("lupine"))) {
    const bits: string[] = [];
    if (top !== undefined) {
      const c = figureOf(r.rows, s, "calls", top);
      if (c !== undefined)
        bits.push(`${fmt(c.value)} calls/s at ${top} in flight${vs(c, "calls", top)}`);
    }
    const p = figureOf(r.rows, s, "p50", 1);
    if (p !== undefined) bits.push(`ping-pong p50 ${fmt(p.value)} µs${vs(p, "p50", 1)}`);
    const b = figureOf(r.rows, s, "bulk");
    if (b !== undefined) bits.push(`bulk ${fmt(b.value)} MB/s${vs(b, "bulk")}`);
    const l = figureOf(r.rows, s, "lossy-calls", 32);
    if (l !== undefined) bits.push(`lossy link ${fmt(l.value)} calls/s${vs(l, "lossy-calls", 32)}`);
    const t = figureOf(r.rows, s, "lossy-bulk");
    if (t !== undefined)
      bits.push(`lossy link transfer ${fmt(t.value)} MB/s${vs(t, "lossy-bulk")}`);
    if (bits.length > 0) out.push(`- **${s}**: ${bits.join("; ")}.`);
  }
  return out;
}

/** The note all measured rows of a group share ("" when none has one), said once under its table. */
function groupNote(g: Group): string | undefined {
  const notes = g.rows.filter(hasValue).map((x) => x.note ?? "");
  const first = notes[0] ?? "";
  return notes.every((n) => n === first) ? first : undefined;
}

function groupTable(g: Group): string[] {
  const shared = groupNote(g);
  const unit = g.rows.find(hasValue)?.unit ?? g.rows[0]?.unit ?? "";
  const better = g.rows[0]?.better === "lower" ? "lower is better" : "higher is better";
  const head = [
    "system",
    `${unit} (median)`,
    "spread (min–max)",
    ...g.references.map((x) => `÷ ${x.system}`),
    ...(shared === undefined ? ["note"] : []),
  ];
  const rows = g.rows.map((x) => [
    x.system.startsWith("lupine") ? `**${x.system}**` : x.system,
    value(x),
    hasValue(x) && x.min !== undefined ? `${fmt(x.min)}–${fmt(x.max)}` : "",
    ...g.references.map((ref) => fmtRatios(x, ref)),
    ...(shared === undefined ? [x.note ?? ""] : []),
  ]);
  const missing = g.rows.filter((x) => !hasValue(x) && x.note !== undefined);
  const notes =
    shared === undefined ? [] : [shared === "" ? `${better}.` : `${better}; ${shared}.`];
  if (shared !== undefined) for (const x of missing) notes.push(`${x.system}: ${x.note}.`);
  return [`### ${g.name}`, "", ...table(head, rows), "", ...notes.map((n) => `${n}  `), ""];
}

/** The headline ratios: every system ÷ raw dgram echo, and ÷ grpc-js. */
function ratioSection(r: BenchResult): string[] {
  return [
    ["raw dgram echo", "the ceiling: no RPC at all"],
    ["grpc-js", "the RPC system Node users know"],
  ].flatMap(([ref, why]) => {
    const t = ratioTable(r.rows, ref!);
    return t.length === 0
      ? []
      : [
          `## Ratios to ${ref} (${why})`,
          "",
          ...t,
          "",
          "Below 1× is better for p50, p99 and CPU.",
          "",
        ];
  });
}

/**
 * The Markdown page of a run; `svgFile` and `dataFile` are the chart's and the run's JSON's paths
 * relative to the page.
 */
export function renderMarkdown(
  r: BenchResult,
  svgFile: string,
  dataFile = "benchmarks.json",
): string {
  const groups = groupRows(r.rows);
  const compared = groups.filter((g) =>
    g.rows.some((x) => x.figure !== undefined && !x.figure.startsWith("interop")),
  );
  const others = groups.filter((g) => !compared.includes(g));
  const noise = noiseNotes(r);
  const out = [
    "# Benchmarks",
    "",
    `<!-- Generated by \`npm run bench:report\` from the run's JSON (${dataFile}): do not edit by hand. -->`,
    "",
    "Lupine beside the systems a user would otherwise choose, measured side by side in one run on",
    `one machine (the run's JSON: [${dataFile}](${dataFile})). Reproduce it with:`,
    "",
    "```sh",
    `${r.command}   # ${Math.round(r.seconds / 60)} min here; writes bench/results/latest.json`,
    "npm run bench:report   # writes this page, its chart and its JSON from that file",
    "```",
    "",
    "On a busy machine, `npm run bench -- --wait-load 1.5` first waits (up to 30 minutes) for the",
    "load average to fall. `npm run bench:report -- --in docs/benchmarks.json` rebuilds the page",
    "from the recorded run without measuring again.",
    "",
    "## The machine",
    "",
    ...machineSection(r),
    "",
    ...(r.failures.length === 0
      ? []
      : [
          "**Modules that failed in this run:** " +
            r.failures.map((f) => `\`${f.module}\` (${f.error.split("\n")[0]})`).join("; "),
          "",
        ]),
    "## Calls per second and latency",
    "",
    `![calls/s and latency per system](${svgFile})`,
    "",
    "## Summary",
    "",
    ...headlines(r),
    "",
    ...summary(r),
    "",
    "Medians over rounds; ratios and spreads are in the tables below.",
    "",
    ...ratioSection(r),
    ...(noise.length === 0 ? [] : ["## Notes on noise", "", ...noise, ""]),
    "## Every figure, with ratios",
    "",
    ...compared.flatMap(groupTable),
    ...(others.length === 0
      ? []
      : [
          "## Per-area benchmarks",
          "",
          "Ratios to each group's baseline.",
          "",
          ...others.flatMap(groupTable),
        ]),
    methodSection(r.comparison),
  ];
  return `${out.join("\n")}`;
}
