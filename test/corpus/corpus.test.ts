/**
 * The corpus: every `.x` file the reference rpcgen accepts (the rpcsvc files in
 * /usr/include/rpcsvc and the corpus in ../shared/corpus/x, see its RESULTS.md) compiles, and all
 * outputs type-check under the strictest settings in one `tsc --noEmit` run. The Stellar and
 * xdrpp dialect files too, and the files rpcgen rejects where Lupine accepts them (see
 * docs/compiler.md). Files are laid out at their original repository paths (sources.tsv) so
 * relative `#include`s resolve. Special cases are in `jobs.ts`.
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
import { JOBS, type Job } from "./jobs.js";

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

  const special = new Set(JOBS.flatMap((j) => [j.file, ...(j.with ?? [])]));
  const jobs: Job[] = [
    ...JOBS,
    ...[...where.keys()]
      .filter((f) => !special.has(f))
      .sort()
      .map((file) => ({ file })),
  ];
  let compiled = 0;

  jobs.forEach((job, n) => {
    test(job.file, () => {
      const path = where.get(job.file);
      assert.ok(path !== undefined, `${job.file} is not in the corpus`);
      const files = [path, ...(job.with ?? []).map((f) => where.get(f)!)];
      if (job.externs !== undefined) {
        const ext = join(root, "externs", `externs_${n}.x`);
        mkdirSync(dirname(ext), { recursive: true });
        writeFileSync(ext, `${job.externs}\n`);
        files.push(ext);
      }
      const dir = join(out, `job${n}`);
      const r = compile({
        host: fsHost,
        files,
        defines: new Map(Object.entries(job.defines ?? {})),
        outputPath: (f) => join(dir, `${basename(f, ".x").replace(/[^\w-]/g, "_")}.ts`),
      });
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      if (job.expect !== undefined) {
        assert.ok(
          errors.some((d) => d.code === job.expect!.code),
          `expected a ${job.expect.code} error (${job.expect.why}); got:\n${errors.map(formatDiagnostic).join("\n")}`,
        );
        return;
      }
      assert.deepEqual(errors.map(formatDiagnostic), [], "compiles without errors");
      mkdirSync(dir, { recursive: true });
      for (const o of r.outputs) writeFileSync(o.path, o.text);
      compiled += r.outputs.length;
    });
  });

  test("every output type-checks with the strictest settings (one tsc run)", () => {
    assert.ok(compiled > 150, `only ${compiled} modules were generated`);
    const r = typecheck(out);
    assert.ok(r.ok, r.output.split("\n").slice(0, 40).join("\n"));
  });
});
