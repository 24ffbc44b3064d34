/**
 * `docs/benchmarks.md`, generated from a run's JSON: the machine and code it ran on, the command
 * that reproduces it, the chart, a summary table, and every group with each row's ratio to the
 * reference systems (raw dgram echo, Node TCP echo, grpc-js) or to the group's baseline. Pure: a
 * results object in, Markdown out.
 */
import type { BenchRow } from "../harness.js";
import { fmt, fmtRatio, type Group, groupRows, hasValue, ratio } from "../print.js";
import { type BenchResult, comparedSystems, depthsOf, figureOf } from "./model.js";

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${head.map(cell).join(" | ")} |`,
    `| ${head.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ];
}

function value(r: BenchRow | undefined): string {
  if (r === undefined || !hasValue(r)) return "—";
  return fmt(r.value);
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
        `${m.git.commit.slice(0, 12)} “${m.git.subject}”${m.git.dirty ? " plus uncommitted changes" : ""}`,
      ],
      ["compared with", versions],
      [
        "run",
        `${r.date.slice(0, 16).replace("T", " ")} UTC, ${Math.round(r.seconds / 60)} min${r.quick ? " — a QUICK smoke run: these numbers are not measurements" : ""}`,
      ],
    ],
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
      const q = x === undefined ? null : ratio(row, x);
      return q === null ? [] : [`${fmtRatio(q)} ${ref}`];
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
    ...g.references.map((ref) => fmtRatio(ratio(x, ref))),
    ...(shared === undefined ? [x.note ?? ""] : []),
  ]);
  const missing = g.rows.filter((x) => !hasValue(x) && x.note !== undefined);
  const notes =
    shared === undefined ? [] : [shared === "" ? `${better}.` : `${better}; ${shared}.`];
  if (shared !== undefined) for (const x of missing) notes.push(`${x.system}: ${x.note}.`);
  return [`### ${g.name}`, "", ...table(head, rows), "", ...notes.map((n) => `${n}  `), ""];
}

const METHOD = `## How it is measured

- **Systems.** Lupine's own transport (\`lupine://\`, plain and secure), Lupine's ONC RPC over UDP
  and TCP (\`udp://\`, \`tcp://\`), each through the typed client \`createClient\` and \`createServer\`
  with default options, serving \`BENCH_PROG\` from \`bench/c/bench.x\` (the generated
  \`bench/gen/bench.ts\`); raw \`node:dgram\` echo and raw \`node:net\` echo (the ceilings: no RPC at
  all, one datagram or one write per call, replies matched in order); \`@grpc/grpc-js\` unary calls
  of raw bytes (no protobuf encoding, which only flatters it); the rpcgen + libtirpc C client and
  server built from the same \`.x\` (their stubs are synchronous, so they have one call in flight).
- **Payloads.** Small calls echo 32 bytes. The bulk transfer moves 1 GiB to the server: Node TCP
  as one byte stream, RPC systems as SINK calls of 1 MiB (4 in flight; the C stubs one at a time),
  Lupine also as one call with a 1 GiB argument (\`lupine, one call\`).
- **Processes.** Every server runs in its own process, pinned to core 0; every measured window runs
  a fresh client process pinned to core 1 (\`taskset\`), which connects, makes warm-up calls, runs
  the window's load for a warm-up period, and only then is told to start. Calls in flight are kept
  constant: each of N lanes starts its next call when its last one returns.
- **Figures.** calls/s over the window; p50 and p99 of every call's latency in the window; CPU
  seconds per 100,000 calls of the client (its own \`getrusage\`) and of the server (\`/proc\`,
  read just before and just after the window; 10 ms resolution); MB/s of the bulk transfer.
- **Rounds.** Every system once per round, rounds interleaved and the order rotating, so load
  from other processes on the shared machine falls on every system alike; each figure is the
  median over rounds (5 for small calls, 3 for bulk and the lossy link) with the min–max spread.
- **Lossy link.** Two \`../shared/netlab\` hosts joined by a veth link, servers in one and clients
  in the other, both sending with \`loss 2% delay 10ms limit 10000\` (RTT 20 ms), segmentation
  offload down to 1500 bytes so TCP's packets are impaired like UDP's; small calls at 32 in flight
  and a 64 MiB transfer. Runs only as root.
- **Ratios.** The machine has 2 cores shared with other work, so absolute numbers move between
  runs; the ratios within one run are what to read. A ratio is the row's value divided by the
  reference's, whatever the direction: for latency and CPU, below 1× is better.
`;

/** The Markdown page of a run; `svgFile` is the chart's path relative to the page. */
export function renderMarkdown(r: BenchResult, svgFile: string): string {
  const groups = groupRows(r.rows);
  const compared = groups.filter((g) =>
    g.rows.some((x) => x.figure !== undefined && !x.figure.startsWith("interop")),
  );
  const others = groups.filter((g) => !compared.includes(g));
  const out = [
    "# Benchmarks",
    "",
    "<!-- Generated by `npm run bench:report` from bench/results/latest.json: do not edit by hand. -->",
    "",
    "Lupine beside the systems a user would otherwise choose, measured side by side in one run on",
    "one machine. Reproduce it with:",
    "",
    "```sh",
    `${r.command}   # writes bench/results/latest.json (add -- --wait-load 1.5 on a busy machine)`,
    "npm run bench:report   # writes this page and benchmarks.svg from it",
    "```",
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
    METHOD,
  ];
  return `${out.join("\n")}`;
}
