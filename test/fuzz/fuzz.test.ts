/**
 * The short fuzz run of `npm test`: every target for a few thousand inputs (seconds each), with
 * coverage feedback, from the committed corpus and the regression inputs; no finding allowed.
 * `npm run fuzz` runs the long version (10^6 inputs per target, docs/fuzzing.md).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { superviseTarget } from "./engine/supervisor.js";
import { loadTarget, TARGETS } from "./targets/index.js";

const INPUTS = Number(process.env.FUZZ_INPUTS ?? 2000);
/** A new seed each run (more ground covered over many runs); `SEED=n` replays one. */
const SEED = Number(process.env.SEED ?? Date.now() % 1_000_000);

describe("fuzz targets, short run", () => {
  for (const name of Object.keys(TARGETS)) {
    test(`${name}: ${INPUTS} inputs, seed ${SEED}, no finding`, { timeout: 180_000 }, async () => {
      const r = await superviseTarget({
        target: name,
        inputs: INPUTS,
        timeLimitMs: 60_000,
        seed: SEED,
        coverage: true,
        hangMs: 20_000,
      });
      const found = r.findings.map(
        (f) =>
          `${f.kind}: ${f.message}\n  input (base64): ${Buffer.from(f.input).toString("base64")}`,
      );
      assert.deepEqual(found, [], `${name}, SEED=${SEED}`);
      assert.ok(
        r.inputs > 0 && r.seeds > 0,
        `${name} ran ${r.inputs} inputs from ${r.seeds} seeds`,
      );
      const known = (await loadTarget(name)).knownFindings ?? [];
      if (known.length > 0) {
        // Its regression input shows it every run; once fixed, drop the knownFindings entry.
        assert.ok(r.known > 0, `${name}: the known finding no longer shows: ${known[0]!.why}`);
      }
    });
  }
});
