/**
 * The report generator on a small hand-made results file: ratios to each reference system, rows
 * without a value, the machine section, and a chart with a bar per measured depth.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BenchRow } from "../harness.js";
import { formatGroups } from "../print.js";
import { renderMarkdown } from "./markdown.js";
import { type BenchResult, parseResult } from "./model.js";
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
  assert.match(svg, />n\/a</, "rpcgen C udp has no bar");
  assert.ok(!/<text[^>]*>[^<]*&(?!amp;|lt;|gt;)/.test(svg));
  assert.equal(shortNumber(41_000), "41.0k");
  assert.equal(shortMicros(100_000), "100 ms");
  assert.equal(shortMicros(2_500), "2.5 ms");
});
