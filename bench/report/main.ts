/**
 * `npm run bench:report [-- --in FILE --out FILE.md --svg FILE.svg]`: writes `docs/benchmarks.md`
 * and its chart `docs/benchmarks.svg` from a run's JSON (default `bench/results/latest.json`), so
 * the page can be regenerated from the recorded numbers at any time without measuring again.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderMarkdown } from "./markdown.js";
import { parseResult } from "./model.js";
import { renderSvg } from "./svg.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? resolve(process.argv[i + 1]!) : fallback;
}

const input = option("--in", join(root, "bench", "results", "latest.json"));
const md = option("--out", join(root, "docs", "benchmarks.md"));
const svg = option("--svg", join(dirname(md), "benchmarks.svg"));
const result = parseResult(readFileSync(input, "utf8"));
mkdirSync(dirname(md), { recursive: true });
mkdirSync(dirname(svg), { recursive: true });
writeFileSync(svg, renderSvg(result));
writeFileSync(md, renderMarkdown(result, relative(dirname(md), svg)));
console.error(
  `wrote ${relative(process.cwd(), md)} and ${relative(process.cwd(), svg)} from ${relative(process.cwd(), input)}`,
);
