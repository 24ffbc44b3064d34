/**
 * `npm run bench [-- --quick] [filters...]`: runs every `bench/*.bench.js` module (or those whose
 * file name contains a filter), prints each group with ratios to its baseline, and writes
 * `bench/results/latest.json`.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchModule, BenchRow } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const filters = args.filter((a) => !a.startsWith("--"));

const modules = readdirSync(here)
  .filter((f) => f.endsWith(".bench.js"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const rows: BenchRow[] = [];
for (const file of modules) {
  const mod = (await import(join(here, file))) as BenchModule;
  console.error(`# ${file}${quick ? " (quick)" : ""}`);
  try {
    const got = await mod.run({ quick, filters });
    rows.push(...got);
    printGroups(got);
  } catch (e) {
    console.error(`  ${file} failed: ${e instanceof Error ? e.stack : String(e)}`);
  }
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US");
  return n.toPrecision(3);
}

function printGroups(list: readonly BenchRow[]): void {
  const groups = new Map<string, BenchRow[]>();
  for (const r of list) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  for (const [group, members] of groups) {
    const base = members.find((m) => m.baseline);
    console.log(`\n${group}`);
    for (const m of members) {
      const ratio =
        base === undefined || base === m
          ? ""
          : `  ${(m.value / base.value).toFixed(2)}× ${base.system}`;
      const spread = m.min === undefined ? "" : ` [${fmt(m.min)}–${fmt(m.max ?? m.min)}]`;
      const note = m.note === undefined ? "" : `  (${m.note})`;
      console.log(
        `  ${m.system.padEnd(28)} ${fmt(m.value).padStart(12)} ${m.unit}${spread}${ratio}${note}`,
      );
    }
  }
}

const out = join(here, "..", "..", "bench", "results");
mkdirSync(out, { recursive: true });
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? "?", node: process.version };
writeFileSync(
  join(out, quick ? "quick.json" : "latest.json"),
  `${JSON.stringify({ date: new Date().toISOString(), quick, machine, rows }, null, 2)}\n`,
);
