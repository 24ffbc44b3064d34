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

/**
 * The inputs of corpus file `name`, then those of `name.regressions.txt` (inputs of past
 * findings, kept by hand; `capture.ts` never rewrites them). Empty when neither exists.
 */
export function readCorpus(name: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const file of [`${name}.txt`, `${name}.regressions.txt`]) {
    const path = join(corpusDir, file);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const t = line.trim();
      if (t === "" || t.startsWith("#")) continue;
      out.push(new Uint8Array(Buffer.from(t, "base64")));
    }
  }
  return out;
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
