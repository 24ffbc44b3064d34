/**
 * `npm run bench [-- options] [filters...]`: runs every `bench/*.bench.js` module (or those whose
 * file name contains a filter, or whose `keywords` include one), prints each group with its
 * ratios, and writes the results as JSON (`bench/results/latest.json`; `quick.json` for a quick
 * run) for `npm run bench:report`.
 *
 * Options: `--quick` (a seconds-long smoke run, not a measurement), `--out FILE`, `--wait-load X`
 * (wait up to 30 minutes for the 1-minute load average to fall below X before starting: the
 * machine is shared). Exits 1 if a module failed to run (never because of its numbers).
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchModule, BenchRow } from "./harness.js";
import { machineInfo } from "./machine.js";
import { formatGroups } from "./print.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");

function parseArgs(argv: readonly string[]) {
  let out: string | undefined;
  let waitLoad: number | undefined;
  const filters: string[] = [];
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") quick = true;
    else if (a === "--out") out = argv[++i];
    else if (a === "--wait-load") waitLoad = Number(argv[++i]);
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else filters.push(a);
  }
  return { out, waitLoad, filters, quick };
}

async function waitForLoad(below: number): Promise<void> {
  const until = Date.now() + 30 * 60_000;
  while (loadavg()[0]! >= below && Date.now() < until) {
    console.error(`# load average ${loadavg()[0]!.toFixed(2)} ≥ ${below}: waiting`);
    await new Promise((r) => setTimeout(r, 30_000));
  }
}

const args = parseArgs(process.argv.slice(2));
if (args.waitLoad !== undefined) await waitForLoad(args.waitLoad);
const machine = machineInfo(root);

const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.js"))
  .sort();
const rows: BenchRow[] = [];
const failures: { module: string; error: string }[] = [];
const started = Date.now();
for (const file of files) {
  const mod = (await import(join(here, file))) as BenchModule;
  const selected =
    args.filters.length === 0 ||
    args.filters.some((x) => file.includes(x) || (mod.keywords ?? []).includes(x));
  if (!selected) continue;
  console.error(`# ${file}${args.quick ? " (quick)" : ""}`);
  const t0 = Date.now();
  try {
    const got = await mod.run({ quick: args.quick, filters: args.filters });
    rows.push(...got);
    console.log(formatGroups(got));
    console.error(`# ${file}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    failures.push({ module: file, error });
    console.error(`  ${file} failed: ${error}`);
  }
}

const out = args.out ?? join(root, "bench", "results", args.quick ? "quick.json" : "latest.json");
mkdirSync(dirname(out), { recursive: true });
const command = [
  "npm run bench",
  ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : []),
];
const result = {
  date: new Date(started).toISOString(),
  seconds: Math.round((Date.now() - started) / 1000),
  command: command.join(" "),
  quick: args.quick,
  machine,
  loadAfter: loadavg(),
  failures,
  rows,
};
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.error(`# wrote ${out}`);
if (failures.length > 0) process.exitCode = 1;
