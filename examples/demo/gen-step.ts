/**
 * Step 1 of the demo: `lupine gen` compiles the textbook's interface (examples/calc/calc.x), run
 * as a user would run it, into a temporary folder; the output is compared with the committed
 * examples/calc/gen/calc.ts, which is what the rest of the demo runs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What the step found. */
export interface GenStep {
  readonly lines: string[];
  /** The generated module equals the committed one. */
  readonly identical: boolean;
  readonly exitCode: number | null;
}

/** Runs `lupine gen examples/calc/calc.x -o <temp>` from `repoRoot`. */
export function genStep(repoRoot: string): GenStep {
  const out = mkdtempSync(join(tmpdir(), "lupine-demo-gen-"));
  const lines: string[] = [];
  try {
    const source = readFileSync(join(repoRoot, "examples", "calc", "calc.x"), "utf8");
    const text = source.replace(/\/\*[\s\S]*?\*\//g, "").trim();
    lines.push("examples/calc/calc.x, the chapter's interface:", `    ${text}`, "");
    lines.push(`$ lupine gen examples/calc/calc.x -o ${out}`);
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, "dist", "src", "cli", "main.js"), "gen", "examples/calc/calc.x", "-o", out],
      { cwd: repoRoot, encoding: "utf8" },
    );
    for (const l of `${r.stderr}${r.stdout}`.trimEnd().split("\n")) lines.push(`    ${l}`);
    if (r.status !== 0) return { lines, identical: false, exitCode: r.status };
    const generated = readFileSync(join(out, "calc.ts"), "utf8");
    const program = /export const CALC = (0x[0-9a-f]+);/.exec(generated)?.[1] ?? "?";
    const procs = [...generated.matchAll(/\/\*\* (int func\d\([^)]*\)) = (\d+) \*\//g)].map(
      (m) => `${m[1]} = procedure ${m[2]}`,
    );
    lines.push(
      "",
      `program CALC = ${program}, version 1: ${procs.join("; ")}`,
      "(types, XDR codecs and a typed client/handler descriptor, CalcV1, in one TypeScript module)",
    );
    const committed = readFileSync(join(repoRoot, "examples", "calc", "gen", "calc.ts"), "utf8");
    const identical = generated === committed;
    lines.push(
      identical
        ? "identical to examples/calc/gen/calc.ts, the module the rest of this demo runs"
        : "DIFFERS from examples/calc/gen/calc.ts: regenerate it (npm run gen:fixtures)",
    );
    return { lines, identical, exitCode: r.status };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
