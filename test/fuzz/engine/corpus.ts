/**
 * The committed seed corpus: `test/fuzz/corpus/<name>.txt`, one input per line in base64, with
 * `#` comment lines saying where the inputs came from (written by `test/fuzz/capture.ts`).
 * Text keeps the corpus reviewable in diffs and small (a few hundred KB in all).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../support.js";

/** The folder of the committed corpus. */
export const corpusDir = join(repoRoot, "test", "fuzz", "corpus");

function readLines(file: string): Uint8Array[] {
  const path = join(corpusDir, file);
  if (!existsSync(path)) return [];
  const out: Uint8Array[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    out.push(new Uint8Array(Buffer.from(t, "base64")));
  }
  return out;
}

/** The inputs of corpus file `name` (empty when it does not exist). */
export function readCorpus(name: string): Uint8Array[] {
  return readLines(`${name}.txt`);
}

/**
 * The inputs of past findings of target `name` (`name.regressions.txt`, kept by hand;
 * `capture.ts` never rewrites them). Every run checks them first; they are not mutated (they are
 * pathological on purpose, and would slow the run down).
 */
export function readRegressions(name: string): Uint8Array[] {
  return readLines(`${name}.regressions.txt`);
}

/** Writes corpus file `name`: a comment (each line prefixed with `# `), then the inputs, deduplicated. */
export function writeCorpus(name: string, comment: string, inputs: readonly Uint8Array[]): number {
  const lines = new Set<string>();
  for (const input of inputs) lines.add(Buffer.from(input).toString("base64"));
  const header = comment
    .split("\n")
    .map((l) => `# ${l}`)
    .join("\n");
  writeFileSync(join(corpusDir, `${name}.txt`), `${header}\n${[...lines].join("\n")}\n`);
  return lines.size;
}
