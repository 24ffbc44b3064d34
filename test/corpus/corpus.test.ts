/**
 * The corpus: every `.x` file the reference rpcgen accepts (the rpcsvc files in
 * /usr/include/rpcsvc and the corpus in ../shared/corpus/x, see its RESULTS.md) compiles ALONE,
 * with exactly the warnings `jobs.ts` pins for it (names it leaves to the outside, as rpcgen
 * does); so do the Stellar and xdrpp dialect files and the files rpcgen rejects where Lupine
 * accepts them. Then the fuller jobs of `jobs.ts` compile files together with what their C build
 * gets elsewhere, without those warnings. All outputs type-check under the strictest settings
 * in one `tsc --noEmit` run. Files are laid out at their original repository paths
 * (sources.tsv) so relative `#include`s resolve.
 */
import assert from "node:assert/strict";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { compile, formatDiagnostic } from "../../src/compiler/index.js";
import { fsHost, sharedDir, typecheck } from "../support.js";
import { ALONE_WARNINGS, type Counts, type Job, TOGETHER } from "./jobs.js";

const shared = sharedDir();
const RPCSVC = "/usr/include/rpcsvc";

describe("corpus", {
  skip: shared === null ? "../shared is absent (no corpus to compile)" : false,
}, () => {
  const root = mkdtempSync(join(tmpdir(), "lupine-corpus-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const src = join(root, "src");
  const out = join(root, "out");
  const where = new Map<string, string>();

  // Lay the corpus out at its original paths.
  const corpus = join(shared!, "corpus", "x");
  for (const line of readFileSync(join(corpus, "sources.tsv"), "utf8").split("\n")) {
    const [repo, path, , , , flat] = line.split("\t");
    if (repo === undefined || path === undefined || flat === undefined) continue;
    const target = join(src, repo, path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(corpus, flat), target);
    where.set(flat, target);
  }
  if (existsSync(RPCSVC)) {
    mkdirSync(join(src, "rpcsvc"), { recursive: true });
    for (const f of readdirSync(RPCSVC).filter((n) => n.endsWith(".x"))) {
      copyFileSync(join(RPCSVC, f), join(src, "rpcsvc", f));
      where.set(`rpcsvc/${f}`, join(src, "rpcsvc", f));
    }
  }

  const alone = [...where.keys()].sort().map((file) => ({ file, alone: true }));
  const jobs = [...alone, ...TOGETHER.map((job) => ({ ...job, alone: false }))];
  let compiled = 0;

  test("every file with pinned warnings is in the corpus", () => {
    assert.deepEqual(
      Object.keys(ALONE_WARNINGS).filter(
        (f) => !where.has(f) && (existsSync(RPCSVC) || !f.startsWith("rpcsvc/")),
      ),
      [],
    );
  });

  jobs.forEach((job: Job & { alone: boolean }, n) => {
    const name = job.alone ? `alone: ${job.file}` : `with what C gets elsewhere: ${job.file}`;
    test(name, () => {
      const path = where.get(job.file);
      assert.ok(path !== undefined, `${job.file} is not in the corpus`);
      const files = [path, ...(job.with ?? []).map((f) => where.get(f)!)];
      const externs: string[] = [];
      if (job.externs !== undefined) {
        const ext = join(root, "externs", `externs_${n}.x`);
        mkdirSync(dirname(ext), { recursive: true });
        writeFileSync(ext, `${job.externs}\n`);
        externs.push(ext);
      }
      const dir = join(out, `job${n}`);
      const r = compile({
        host: fsHost,
        files,
        externs,
        defines: new Map(Object.entries(job.defines ?? {})),
        outputPath: (f) => join(dir, `${basename(f, ".x").replace(/[^\w-]/g, "_")}.ts`),
      });
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      assert.deepEqual(errors.map(formatDiagnostic), [], "compiles without errors");
      const expected = job.alone ? (ALONE_WARNINGS[job.file] ?? {}) : (job.warnings ?? {});
      const warnings = r.diagnostics.filter((d) => d.severity === "warning");
      assert.deepEqual(
        countByCode(warnings),
        expected,
        `warnings changed (update jobs.ts after reviewing):\n${warnings.map(formatDiagnostic).join("\n")}`,
      );
      mkdirSync(dir, { recursive: true });
      for (const o of r.outputs) writeFileSync(o.path, o.text);
      compiled += r.outputs.length;
    });
  });

  test("every output type-checks with the strictest settings (one tsc run)", () => {
    assert.ok(compiled > 200, `only ${compiled} modules were generated`);
    const r = typecheck(out);
    assert.ok(r.ok, r.output.split("\n").slice(0, 40).join("\n"));
  });
});

function countByCode(list: readonly { readonly code: string }[]): Counts {
  const out: Record<string, number> = {};
  for (const d of list) out[d.code] = (out[d.code] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
