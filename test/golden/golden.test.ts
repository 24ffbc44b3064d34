/**
 * Golden tests: each `.x` here compiles to the committed `<name>.ts` (when it compiles) and
 * `<name>.diagnostics.txt`. `npm run golden:update` rewrites the baselines after a deliberate
 * change; review the diff.
 */
import assert from "node:assert/strict";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { compile, formatDiagnostic } from "../../src/compiler/index.js";
import { repoRoot, typecheck } from "../support.js";

const dir = join(repoRoot, "test", "golden");
const update = process.env.UPDATE_GOLDEN === "1";

function check(path: string, actual: string | null): void {
  if (update) {
    if (actual === null) rmSync(path, { force: true });
    else writeFileSync(path, actual);
    return;
  }
  const expected = existsSync(path) ? readFileSync(path, "utf8") : null;
  assert.equal(actual, expected, `${path} differs (npm run golden:update after reviewing)`);
}

describe("golden", () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".x")).sort()) {
    test(file, () => {
      const r = compile({
        host: { readFile: (p) => (existsSync(join(dir, p)) ? readFileSync(join(dir, p), "utf8") : undefined) },
        files: [file],
      });
      const base = file.replace(/\.x$/, "");
      const diags = r.diagnostics.map(formatDiagnostic).join("\n");
      check(join(dir, `${base}.diagnostics.txt`), diags === "" ? "" : `${diags}\n`);
      check(join(dir, `${base}.ts`), r.outputs[0]?.text ?? null);
    });
  }

  test("the golden modules type-check with the strictest settings", () => {
    const tmp = mkdtempSync(join(tmpdir(), "lupine-golden-"));
    try {
      for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts") && !n.includes(".test."))) {
        copyFileSync(join(dir, f), join(tmp, f));
      }
      const r = typecheck(tmp);
      assert.ok(r.ok, r.output);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
