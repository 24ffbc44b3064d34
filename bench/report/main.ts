/**
 * `npm run bench:report [-- --in FILE --out FILE.md --svg FILE.svg]`: writes `docs/benchmarks.md`,
 * its chart `docs/benchmarks.svg` and a copy of the run's JSON beside them (`docs/benchmarks.json`)
 * from a run's JSON (default `bench/results/latest.json`), so the page can be regenerated from the
 * recorded numbers at any time without measuring again (`-- --in docs/benchmarks.json`).
 */
import { spawnSync } from "node:child_process";
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
const data = `${md.replace(/\.md$/, "")}.json`;
const text = readFileSync(input, "utf8");
const result = parseResult(text);
mkdirSync(dirname(md), { recursive: true });
mkdirSync(dirname(svg), { recursive: true });
writeFileSync(svg, renderSvg(result));
writeFileSync(md, renderMarkdown(result, relative(dirname(md), svg), relative(dirname(md), data)));
if (resolve(input) !== resolve(data)) writeFileSync(data, text);
// `npm run lint` checks the formatting of Markdown and JSON too: leave them as the formatter would.
const biome = spawnSync(
  join(root, "node_modules", ".bin", "biome"),
  ["format", "--write", md, data],
  {
    cwd: root,
    stdio: "ignore",
  },
);
if (biome.status !== 0)
  console.error("could not format them with biome: run `npx biome format --write` on them");
console.error(
  `wrote ${relative(process.cwd(), md)}, ${relative(process.cwd(), svg)} and ${relative(process.cwd(), data)} from ${relative(process.cwd(), input)}`,
);
