/**
 * The report generator on a small hand-made results file: ratios to each reference system, rows
 * without a value, the machine section, and a chart with a bar per measured depth.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BenchRow } from "../harness.js";
import { formatGroups, pairedRatio } from "../print.js";
import { renderMarkdown } from "./markdown.js";
import { methodSection } from "./method.js";
import { type BenchResult, parseResult } from "./model.js";
import { noiseNotes } from "./noise.js";
import { ratioTable } from "./ratios.js";
import { renderSvg, shortMicros, shortNumber } from "./svg.js";

function row(system: string, value: number, extra: Partial<BenchRow> = {}): BenchRow {
  return {
    group: "small calls: calls/s, 32 in flight",
    system,
    value,
    unit: "calls/s",
    better: "higher",
    figure: "calls",
    inFlight: 32,
    note: "5 rounds",
    ...extra,
  };
}

const rows: BenchRow[] = [
  row("raw dgram echo", 20_000, { baseline: true, min: 18_000, max: 21_000 }),
  row("node tcp echo", 40_000),
  row("lupine", 60_000, { min: 50_000, max: 70_000 }),
  row("grpc-js", 4_000),
  row("rpcgen C udp", Number.NaN, { note: "one call in flight" }),
  row("lupine", 90, {
    group: "small calls: p50 latency, 32 in flight",
    figure: "p50",
    unit: "µs",
    better: "lower",
  }),
  row("lupine", 900, {
    group: "small calls: p99 latency, 32 in flight",
    figure: "p99",
    unit: "µs",
    better: "lower",
  }),
  {
    group: "xdr: encode",
    system: "js-xdr",
    value: 100,
    unit: "ops/s",
    better: "higher",
    baseline: true,
  },
  { group: "xdr: encode", system: "lupine", value: 350, unit: "ops/s", better: "higher" },
];

const result: BenchResult = parseResult(
  JSON.stringify({
    date: "2026-11-26T18:00:00.000Z",
    seconds: 600,
    command: "npm run bench",
    quick: false,
    machine: {
      cpuModel: "Test CPU",
      cores: 2,
      cpuMHz: 2000,
      memoryGiB: 8,
      kernel: "6.1",
      node: "v20.0.0",
      loadBefore: [0.5, 0.6, 0.7],
      taskset: true,
      root: true,
      versions: { "@grpc/grpc-js": "1.14.7" },
      git: { commit: "0123456789abcdef", subject: "a commit", dirty: false },
    },
    loadAfter: [1, 1, 1],
    failures: [],
    rows,
  }),
);

test("markdown: ratios to raw dgram echo, node tcp echo and grpc-js; missing values explained", () => {
  const md = renderMarkdown(result, "benchmarks.svg");
  assert.match(md, /\| \*\*lupine\*\* \| 60,000 \| 50,000–70,000 \| 3\.00× \| 1\.50× \| 15\.0× \|/);
  assert.match(md, /\| grpc-js \| 4,000 \| {2}\| 0\.200× \| 0\.100× \| {2}\|/);
  assert.match(md, /\| rpcgen C udp \| — \|/);
  assert.match(md, /rpcgen C udp: one call in flight\./);
  assert.match(md, /0\.50, 0\.60, 0\.70 before the run/);
  assert.match(md, /0123456789ab “a commit”/);
  assert.match(md, /### xdr: encode[\s\S]*\| \*\*lupine\*\* \| 350 \| {2}\| 3\.50× \|\n/);
  assert.match(md, /!\[calls\/s and latency per system\]\(benchmarks\.svg\)/);
});

test("markdown summary: each Lupine row's lossy-link transfer beside Node TCP's", () => {
  const lossy = (system: string, value: number): BenchRow => ({
    group: "lossy link: 64 MiB transfer, MB/s",
    system,
    value,
    unit: "MB/s",
    better: "higher",
    figure: "lossy-bulk",
  });
  const md = renderMarkdown(
    {
      ...result,
      rows: [...result.rows, lossy("node tcp echo", 10), lossy("lupine, one call", 25)],
    },
    "benchmarks.svg",
  );
  assert.match(
    md,
    /- \*\*lupine, one call\*\*: lossy link transfer 25\.0 MB\/s \(2\.50× node tcp echo\)\./,
  );
});

test("console table: the same ratios", () => {
  const text = formatGroups(rows);
  assert.match(
    text,
    /lupine\s+60,000 calls\/s \[50,000–70,000\]\s+3\.00× raw dgram echo\s+1\.50× node tcp echo\s+15\.0× grpc-js/,
  );
});

test("svg: one bar per measured system and depth, latency marks, escaped text", () => {
  const svg = renderSvg(result);
  assert.equal(
    (svg.match(/calls\/s<\/title><\/rect>/g) ?? []).length,
    4,
    "four measured systems at 32 in flight",
  );
  assert.match(svg, /lupine, 32 in flight: p50 90 µs, p99 900 µs/);
  assert.match(
    svg,
    /^<svg [^>]*>\n<title>Lupine beside [^<]+<\/title>/,
    "a title for accessibility",
  );
  assert.match(svg, />n\/a</, "rpcgen C udp has no bar");
  assert.ok(!/<text[^>]*>[^<]*&(?!amp;|lt;|gt;)/.test(svg));
  assert.equal(shortNumber(41_000), "41.0k");
  assert.equal(shortMicros(100_000), "100 ms");
  assert.equal(shortMicros(2_500), "2.5 ms");
});

test("headline ratios: every system ÷ the reference, per figure; — where a figure is missing", () => {
  const t = ratioTable(rows, "grpc-js");
  assert.equal(t[0], "| system | calls/s, 32 in flight |", "only the figures grpc-js has");
  assert.ok(t.includes("| **lupine** | 15.0× |"));
  assert.ok(t.includes("| raw dgram echo | 5.00× |"));
  assert.ok(t.includes("| rpcgen C udp | — |"));
  assert.deepEqual(ratioTable(rows, "no such system"), []);
  const md = renderMarkdown(result, "benchmarks.svg");
  assert.match(md, /## Ratios to grpc-js[\s\S]*\| \*\*lupine\*\* \| 15\.0× \|/);
  assert.match(md, /## Ratios to raw dgram echo[\s\S]*\| \*\*lupine\*\* \| 3\.00× \|/);
});

test("notes on noise: computed from the load averages and the rounds' spread", () => {
  const notes = noiseNotes(result).join("\n");
  assert.match(
    notes,
    /was 0\.50 when the run started and 1\.00 when it ended, on 2 cores\. The machine was mostly idle/,
  );
  const busy = noiseNotes({ ...result, loadAfter: [3.5, 2, 1] }).join("\n");
  const loaded = rows.map((x) =>
    x.figure === undefined
      ? x
      : { ...x, note: `5 rounds, pinned; load 0.50 0.40 0.30 → 4.20 3.00 2.00` },
  );
  assert.match(
    noiseNotes({ ...result, rows: loaded }).join("\n"),
    /ended \(the comparison: from 0\.50 to 4\.20\), on 2 cores\. Other work/,
  );
  assert.match(busy, /and 3\.50 when it ended, on 2 cores\. Other work shared the machine/);
  // lupine: (70,000 − 50,000) / 60,000 = 33%; raw dgram echo: 3,000 / 20,000 = 15%; median 24%.
  assert.match(notes, /Over the 2 comparison figures .* median spread .* is 24%/);
  assert.match(
    notes,
    /1 spread by more than 25%, the widest: lupine — small calls: calls\/s, 32 in flight \(33%\)/,
  );
  assert.deepEqual(noiseNotes({ ...result, rows: rows.filter((r) => r.figure === undefined) }), []);
});

test("method: every number from the run's recorded settings, none without them", () => {
  const m = methodSection({
    payloadBytes: 48,
    depths: [1, 16],
    rounds: 7,
    windowMs: 1500,
    warmMs: 2000,
    warmCalls: 100,
    bulkBytes: 256 << 20,
    bulkRounds: 2,
    bulkBudgetMs: 300_000,
    transferCapMs: 120_000,
    chunkBytes: 1 << 19,
    bulkInFlight: { lupine: 4, grpc: 4, "rpcgen C tcp": 1 },
    lossyArgs: ["loss", "1%", "delay", "15ms"],
    lossyRounds: 4,
    lossyWindowMs: 2500,
    lossyBulkBytes: 16 << 20,
    lossyBudgetMs: 180_000,
    lossyDepth: 8,
  });
  for (const want of [
    "echo 48 bytes, at 1 and 16 calls in flight",
    "moves 256 MiB",
    "SINK calls of 512 KiB (4 in flight; rpcgen C tcp 1)",
    "window lasts 1.5 s",
    "100 ping-pong calls and runs its load for 2 s",
    "7 rounds for small calls; up to 2 for the bulk transfer and 4 through the lossy link",
    "end within 5 min (lossy link: 3 min) of the part's start",
    "running after 2 min counts as failed",
    "each host sending with `loss 1% delay 15ms` (RTT 30 ms)",
    "small calls at 8 in flight (windows of 2.5 s) and a 16 MiB transfer",
  ])
    assert.ok(m.includes(want), want);
  assert.doesNotMatch(
    methodSection(undefined),
    /echo \d|\d+ (MiB|GiB|KiB|rounds for)|RTT \d|lasts \d/,
  );
});

test("paired ratio: the median of round-by-round ratios, rounds missing either value left out", () => {
  const p50 = (system: string, rounds: (number | null)[], extra: Partial<BenchRow> = {}) =>
    row(system, Number.NaN, {
      group: "small calls: p50 latency, 1 in flight",
      figure: "p50",
      unit: "µs",
      better: "lower",
      inFlight: 1,
      rounds,
      ...extra,
    });
  // The machine slows down over the rounds: the ratio of the two medians (40 ÷ 40 = 1.00×) hides
  // what three of the four paired rounds show, lupine taking 1.1–1.2× raw echo's time.
  const raw = p50("raw dgram echo", [30, 32, 40, 50, 52], { value: 40, baseline: true });
  const lupine = p50("lupine", [33, 38.4, 48, 40, null, 60], { value: 40 });
  const paired = pairedRatio(lupine, raw);
  assert.ok(paired !== null);
  assert.equal(paired.pairs, 4, "round 4 has no lupine value, round 5 no raw one");
  assert.ok(Math.abs(paired.median - 1.15) < 1e-9, `median ${paired.median}`);
  assert.ok(Math.abs(paired.min - 0.8) < 1e-9 && Math.abs(paired.max - 1.2) < 1e-9);
  assert.equal(pairedRatio(raw, raw), null, "not with itself");
  assert.equal(pairedRatio(p50("a", [1, 1]), p50("b", [1, 1])), null, "two rounds are too few");
  assert.equal(pairedRatio(p50("a", [1, 2, 3]), row("b", 1)), null, "no rounds recorded");
  const text = formatGroups([raw, lupine]);
  assert.match(
    text,
    /lupine\s+40\.0 µs\s+1\.00× \(per round 1\.15× \[0\.80–1\.20\]\) raw dgram echo/,
  );
  const md = renderMarkdown({ ...result, rows: [raw, lupine] }, "benchmarks.svg");
  assert.match(
    md,
    /\| \*\*lupine\*\* \| 40\.0 \| {2}\| 1\.00× \(per round 1\.15× \[0\.80–1\.20\]\) \|/,
  );
});
