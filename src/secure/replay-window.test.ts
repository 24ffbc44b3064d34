import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ReplayWindow } from "./replay-window.js";

/** The obvious model: every accepted counter remembered, window measured from the highest. */
function modelAccept(
  seen: Set<number>,
  top: { value: number },
  w: number,
  counter: number,
): string {
  if (counter <= top.value && top.value - counter >= w) return "too-old";
  if (seen.has(counter)) return "replayed";
  seen.add(counter);
  if (counter > top.value) top.value = counter;
  return "fresh";
}

describe("ReplayWindow (RFC 6479)", () => {
  test("in order, duplicates, reordering within the window, too old", () => {
    const w = new ReplayWindow(64);
    assert.equal(w.accept(0), "fresh");
    assert.equal(w.accept(0), "replayed");
    assert.equal(w.accept(2), "fresh");
    assert.equal(w.accept(1), "fresh", "reordered within the window: accepted once");
    assert.equal(w.accept(1), "replayed", "... and only once");
    assert.equal(w.accept(100), "fresh");
    assert.equal(w.check(37), "fresh", "100 - 37 = 63 < 64: inside");
    assert.equal(w.check(36), "too-old", "100 - 36 = 64: outside");
    assert.equal(w.accept(36), "too-old");
    assert.equal(w.accept(37), "fresh");
    assert.equal(w.highest, 100);
  });

  test("check() never changes the window", () => {
    const w = new ReplayWindow(32);
    assert.equal(w.check(5), "fresh");
    assert.equal(w.check(5), "fresh");
    assert.equal(w.highest, 0);
    assert.equal(w.accept(5), "fresh");
    assert.equal(w.check(5), "replayed");
  });

  test("a jump beyond the whole window clears it", () => {
    const w = new ReplayWindow(64);
    for (let i = 0; i < 64; i++) w.accept(i);
    assert.equal(w.accept(10_000), "fresh");
    assert.equal(w.accept(10_000 - 63), "fresh", "bits of the old window must not survive");
    assert.equal(w.accept(63), "too-old");
  });

  test("counters near 2^53 work (numbers, not 32-bit shifts)", () => {
    const w = new ReplayWindow(2048);
    const big = 2 ** 52 + 12345;
    assert.equal(w.accept(big), "fresh");
    assert.equal(w.accept(big), "replayed");
    assert.equal(w.accept(big - 2047), "fresh");
    assert.equal(w.accept(big - 2048), "too-old");
  });

  test("rejects a window size that is not a multiple of 32", () => {
    assert.throws(() => new ReplayWindow(100), /multiple of 32/);
  });

  test("property: agrees with the set model on any sequence (2048 window)", () => {
    const counter = fc.oneof(
      fc.integer({ min: 0, max: 4096 }),
      fc.integer({ min: 0, max: 200_000 }),
    );
    fc.assert(
      fc.property(fc.array(counter, { maxLength: 400 }), (counters) => {
        const w = new ReplayWindow(2048);
        const seen = new Set<number>();
        const top = { value: 0 };
        for (const c of counters) {
          assert.equal(w.accept(c), modelAccept(seen, top, 2048, c), `counter ${c}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("property: a shuffled, duplicated run inside the window delivers each counter once", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          Array.from({ length: 1500 }, (_, i) => i),
          { minLength: 1500, maxLength: 1500 },
        ),
        fc.array(fc.integer({ min: 0, max: 1499 }), { maxLength: 300 }),
        (order, dups) => {
          const w = new ReplayWindow(2048);
          let delivered = 0;
          for (const c of [...order, ...dups]) if (w.accept(c) === "fresh") delivered++;
          assert.equal(delivered, 1500);
        },
      ),
      { numRuns: 50 },
    );
  });
});
