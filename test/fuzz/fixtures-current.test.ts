/**
 * The generated modules the fuzzer decodes with (`test/fuzz/gen/`: libnfs nfs.x, the 12 Stellar
 * files) are what `lupine gen` makes of them today (`npm run gen:fixtures` rewrites them).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { compile } from "../../src/compiler/index.js";
import { fsHost, repoRoot, sharedDir } from "../support.js";
import { STELLAR_FILES } from "./targets/xdr-generated.js";

const shared = sharedDir();

describe("committed fuzzing fixtures are current", {
  skip: shared === null ? "../shared is absent" : false,
}, () => {
  test("test/fuzz/gen/nfs__nfs.ts = lupine gen libnfs nfs.x", () => {
    const r = compile({
      host: fsHost,
      files: [join(shared!, "corpus/x/sahlberg__libnfs/nfs__nfs.x")],
      runtime: "../../../src/runtime/generated.js",
    });
    const committed = readFileSync(join(repoRoot, "test/fuzz/gen/nfs__nfs.ts"), "utf8");
    assert.equal(r.outputs[0]?.text, committed, "run `npm run gen:fixtures`");
  });

  test("test/fuzz/gen/stellar/*.ts = lupine gen of the 12 Stellar files together", () => {
    const r = compile({
      host: fsHost,
      files: STELLAR_FILES.map((f) => join(shared!, `corpus/x/stellar__stellar-xdr/${f}.x`)),
      runtime: "../../../../src/runtime/generated.js",
    });
    assert.equal(r.outputs.length, STELLAR_FILES.length);
    for (const [i, f] of STELLAR_FILES.entries()) {
      const committed = readFileSync(join(repoRoot, `test/fuzz/gen/stellar/${f}.ts`), "utf8");
      assert.equal(r.outputs[i]?.text, committed, `${f}: run \`npm run gen:fixtures\``);
    }
  });
});
