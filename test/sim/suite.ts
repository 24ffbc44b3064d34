/**
 * The simulation suite behind `npm test`: every fault mix over several seeds, 2,500 calls each,
 * invariants checked after each run. Split across files (`sim-a`, `sim-b`) so the test runner
 * runs halves in parallel. A failure names its seed and the command that replays it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { FAULT_MIXES, runScenario } from "../../src/testing/index.js";

export const CALLS_PER_RUN = 2500;

/** Registers one test per (mix, seed). */
export function simSuite(seeds: readonly number[]): void {
  for (const seed of seeds) {
    for (const mix of FAULT_MIXES) {
      test(`sim seed ${seed} mix ${mix.name}: ${CALLS_PER_RUN} calls keep every invariant`, async () => {
        const res = await runScenario({ seed, mix, calls: CALLS_PER_RUN });
        const replay = `npm run sim -- --seed ${seed} --mix ${mix.name}`;
        assert.deepEqual(res.violations, [], `seed ${seed}: invariants broken; replay: ${replay}`);
        const ok = res.outcomes.ok ?? 0;
        // Every mix makes progress: most calls succeed even at 30% loss or across restarts.
        assert.ok(ok >= 0.9 * res.calls, `seed ${seed}: only ${ok} calls succeeded; ${replay}`);
        if (mix.name === "clean") assert.equal(ok, res.calls, `clean link; ${replay}`);
      });
    }
  }
}
