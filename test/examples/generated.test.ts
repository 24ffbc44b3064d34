/**
 * The committed generated modules of the file service and the examples are what `lupine gen`
 * makes of their `.x` files today (`npm run gen:fixtures` rewrites them): a change to the
 * compiler or to a `.x` file cannot leave them stale.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { compile } from "../../src/compiler/index.js";
import { fsHost, repoRoot } from "../support.js";

const cases: { x: string; out: string; runtime?: string }[] = [
  { x: "src/files/files.x", out: "src/files/gen/files.ts", runtime: "../../runtime/generated.js" },
  { x: "examples/calc/calc.x", out: "examples/calc/gen/calc.ts" },
  { x: "/usr/include/rpcsvc/rstat.x", out: "examples/rstat/gen/rstat.ts" },
];

describe("committed generated modules are current", () => {
  for (const c of cases) {
    const x = c.x.startsWith("/") ? c.x : join(repoRoot, c.x);
    test(`${c.out} = lupine gen ${c.x}`, { skip: existsSync(x) ? false : `${x} is absent` }, () => {
      const r = compile({ host: fsHost, files: [x], ...(c.runtime ? { runtime: c.runtime } : {}) });
      assert.deepEqual(
        r.diagnostics.filter((d) => d.severity === "error"),
        [],
      );
      assert.equal(
        r.outputs[0]?.text,
        readFileSync(join(repoRoot, c.out), "utf8"),
        "run `npm run gen:fixtures`",
      );
    });
  }
});
