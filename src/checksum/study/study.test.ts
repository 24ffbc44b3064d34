import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { CRC32, CRC32C, SUM8 } from "../index.js";
import { rateBound, zeroEventUpperBound } from "./bounds.js";
import {
  firstWeakBurstWindow,
  frameSyndromes,
  smallestUndetectedWeight,
  undetectedBurstAt,
} from "./crc-linear.js";
import { measureDetection } from "./detection.js";
import { drawError, modelLabel, parseModel } from "./errors.js";
import { checkFacts } from "./facts.js";
import { createSeededRandom } from "./prng.js";

describe("seeded PRNG", () => {
  test("the same seed replays the same sequence; another seed does not", () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const c = createSeededRandom(43);
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    assert.deepEqual(
      Array.from({ length: 100 }, () => b.nextU32()),
      xs,
    );
    assert.notDeepEqual(
      Array.from({ length: 100 }, () => c.nextU32()),
      xs,
    );
  });

  test("values stay in range and bytes are roughly uniform", () => {
    const r = createSeededRandom(7);
    const counts = new Array<number>(256).fill(0);
    for (const b of r.bytes(256 * 400)) counts[b]!++;
    assert.ok(Math.min(...counts) > 300 && Math.max(...counts) < 500, `${Math.min(...counts)}`);
    for (let i = 0; i < 1000; i++) {
      const x = r.next();
      const k = r.below(10);
      assert.ok(x >= 0 && x < 1 && Number.isInteger(k) && k >= 0 && k < 10);
    }
  });
});

describe("error models", () => {
  test("labels round-trip and unknown ones are refused", () => {
    for (const label of ["1-bit", "8-bit", "burst-33"])
      assert.equal(modelLabel(parseModel(label)!), label);
    assert.equal(parseModel("burst"), undefined);
  });

  test("bit flips are distinct and in range; a burst spans exactly its length", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 64 }),
        fc.nat(),
        (count, length, seed) => {
          const random = createSeededRandom(seed);
          const bits = drawError({ kind: "bits", count }, 100, random, []);
          assert.equal(new Set(bits).size, count);
          assert.ok(bits.every((b) => b >= 0 && b < 100));
          const burst = drawError({ kind: "burst", lengthBits: length }, 100, random, []);
          assert.equal(Math.max(...burst) - Math.min(...burst) + 1, length);
          assert.ok(burst.every((b) => b >= 0 && b < 100));
        },
      ),
    );
  });
});

describe("bounds", () => {
  test("zero events: the exact 95% bound, about 3/N (rule of three)", () => {
    assert.ok(Math.abs(zeroEventUpperBound(100_000) * 100_000 - 2.9957) < 1e-3);
    assert.equal(rateBound(0, 1000).high, zeroEventUpperBound(1000));
  });

  test("some events: Wilson's interval contains the rate", () => {
    const b = rateBound(50, 1000);
    assert.equal(b.rate, 0.05);
    assert.ok(
      b.low > 0.037 && b.low < 0.05 && b.high > 0.05 && b.high < 0.066,
      `${b.low} ${b.high}`,
    );
  });
});

describe("detection trials", () => {
  test("replay from the seed, and separate a weak sum from a CRC", () => {
    const run = (algorithm: typeof SUM8, seed: number) =>
      measureDetection({
        algorithm,
        messageBytes: 64,
        model: { kind: "bits", count: 2 },
        trials: 3000,
        random: createSeededRandom(seed),
      });
    const sum = run(SUM8, 5);
    assert.deepEqual(run(SUM8, 5), sum);
    // Two random flips in the same column of two bytes, in opposite directions, cancel:
    // about 1/8 · 1/2 of pairs; the exhaustive count on one message gave 7%.
    assert.ok(sum.undetected > 100 && sum.undetected < 350, `${sum.undetected}`);
    assert.ok(sum.firstUndetected !== undefined && sum.firstUndetected.length === 2);
    assert.equal(run(CRC32C, 5).undetected, 0);
  });
});

describe("exact CRC analysis", () => {
  test("the weight search finds hand-made dependencies", () => {
    // Syndromes 1, 2, 4, 8: independent. Adding 3 = 1 ^ 2 makes a weight-3 miss.
    assert.deepEqual(smallestUndetectedWeight(Uint32Array.of(1, 2, 4, 8), 5), {
      allDetectedUpTo: 5,
    });
    assert.deepEqual(smallestUndetectedWeight(Uint32Array.of(1, 2, 4, 3), 5), {
      allDetectedUpTo: 2,
      example: [0, 1, 3],
    });
    assert.deepEqual(smallestUndetectedWeight(Uint32Array.of(5, 2, 5), 5), {
      allDetectedUpTo: 1,
      example: [0, 2],
    });
    // 1 ^ 2 = 4 ^ 7: a weight-4 miss.
    assert.deepEqual(
      smallestUndetectedWeight(Uint32Array.of(1, 2, 4, 7, 64), 5).allDetectedUpTo,
      3,
    );
  });

  test("CRC-32's Hamming distance drops from 5 to 4 between 371 and 372 bytes (Koopman)", () => {
    assert.equal(smallestUndetectedWeight(frameSyndromes(CRC32, 371), 4).allDetectedUpTo, 4);
    const beyond = smallestUndetectedWeight(frameSyndromes(CRC32, 372), 4);
    assert.equal(beyond.allDetectedUpTo, 3);
    assert.equal(beyond.example?.length, 4);
    assert.throws(() => smallestUndetectedWeight(new Uint32Array(6001), 4), RangeError);
  });

  test("a 33-bit undetected burst of a CRC is its generator polynomial", () => {
    for (const [algorithm, reflected] of [
      [CRC32, 0xedb88320],
      [CRC32C, 0x82f63b78],
    ] as const) {
      const syndromes = frameSyndromes(algorithm, 32);
      assert.equal(firstWeakBurstWindow(syndromes, 32), -1, `${algorithm.name}: 32-bit windows`);
      const burst = undetectedBurstAt(syndromes, 10, 33)!;
      // Frame offset k carries the coefficient of x^(32−k); reflected bit i is that of x^(31−i).
      const expected = [0];
      for (let k = 1; k <= 32; k++) if ((reflected >>> (k - 1)) & 1) expected.push(k);
      assert.deepEqual(
        burst.map((b) => b - 10),
        expected,
        algorithm.name,
      );
    }
  });
});

describe("bit-level facts", () => {
  test("every fact holds (short run)", () => {
    const facts = checkFacts(
      { shortBytes: 64, longBytes: 300, messages: 1, weight5: false, hdBoundaries: false },
      createSeededRandom(11),
    );
    assert.ok(facts.length >= 20);
    for (const f of facts) assert.ok(f.holds, `${f.claim}: ${f.evidence}`);
  });
});
