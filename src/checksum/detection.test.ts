/**
 * Property tests of what each checksum must detect and what theory says it must miss
 * (Maxino & Koopman 2009; see docs/checksums.md). Errors are bit positions in transmission order
 * (byte by byte, least-significant bit first) over the frame `message ‖ check field`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  ADLER32,
  CHECKSUMS,
  type ChecksumAlgorithm,
  CRC32,
  CRC32C,
  FLETCHER16,
  FLETCHER32,
  INTERNET,
  SUM8,
  SUM16,
  SUM32,
} from "./index.js";
import { frameSyndromes } from "./study/crc-linear.js";
import { makeFrame, missesError } from "./study/frame.js";

const PLAIN_SUMS = [SUM8, SUM16, SUM32, INTERNET];
const DUAL_SUMS = [FLETCHER16, FLETCHER32, ADLER32];
const CRCS = [CRC32, CRC32C];
const RUNS = { numRuns: 300 };

/** A random message and a frame bit position, drawn together so the position fits. */
const messageAndBit = (minBytes = 1, maxBytes = 300) =>
  fc
    .uint8Array({ minLength: minBytes, maxLength: maxBytes })
    .chain((m) => fc.tuple(fc.constant(m), fc.nat(m.length * 8 + 31)));

describe("single-bit errors: every algorithm detects every one", () => {
  // Theory: a flip changes one block by ±2^k, which is non-zero modulo 2^n, 2^n − 1 (k < n) and
  // 65521, and a CRC's generator has more than one term. None of the nine can miss one.
  for (const algorithm of CHECKSUMS) {
    test(algorithm.name, () => {
      fc.assert(
        fc.property(messageAndBit(), ([message, bit]) => {
          const frame = makeFrame(algorithm, message);
          assert.equal(missesError(algorithm, frame, [bit % (frame.length * 8)]), false);
        }),
        RUNS,
      );
    });
  }
});

describe("what theory says the sums must miss", () => {
  /** Builds a message with `setup`, then asserts that `algorithm` misses (or catches) `bits`. */
  const check = (
    algorithms: readonly ChecksumAlgorithm[],
    expectMissed: boolean,
    setup: (a: ChecksumAlgorithm, m: Uint8Array, pick: number) => number[],
    minBytes = 64,
  ) => {
    for (const algorithm of algorithms) {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: minBytes, maxLength: 1500 }),
          fc.nat(),
          (m, pick) => {
            const bits = setup(algorithm, m, pick);
            const missed = missesError(algorithm, makeFrame(algorithm, m), bits);
            assert.equal(missed, expectMissed, `${algorithm.name} ${bits}`);
          },
        ),
        { numRuns: 100 },
      );
    }
  };

  test("two's complement sums: two 0→1 flips of the MSB of two words (the Internet checksum catches them)", () => {
    const setup = (a: ChecksumAlgorithm, m: Uint8Array, pick: number) => {
      const word = a.widthBits / 8;
      const words = Math.floor(m.length / word);
      const i = pick % words;
      const j = (i + 1 + (pick % (words - 1))) % words;
      m[i * word]! &= 0x7f;
      m[j * word]! &= 0x7f;
      return [i * word * 8 + 7, j * word * 8 + 7];
    };
    check([SUM8, SUM16, SUM32], true, setup);
    check([INTERNET], false, setup);
  });

  test("plain sums: a 0→1 and a 1→0 flip in one bit column of two words", () => {
    const setup = (_a: ChecksumAlgorithm, m: Uint8Array, pick: number) => {
      const bit = pick % 8;
      const i = 4 * (pick % 8); // byte i and i + 4: the same column for 8-, 16- and 32-bit words
      m[i]! &= ~(1 << bit);
      m[i + 4]! |= 1 << bit;
      return [i * 8 + bit, (i + 4) * 8 + bit];
    };
    check(PLAIN_SUMS, true, setup);
    check([...DUAL_SUMS, ...CRCS], false, setup);
  });

  test("modulo 2^n − 1: a block 0x00…00 → 0xFF…FF (Adler's prime modulus sees it)", () => {
    const setup = (a: ChecksumAlgorithm, m: Uint8Array, pick: number) => {
      const block = a === FLETCHER16 || a === ADLER32 ? 1 : 2;
      const at = block * (pick % 16);
      m.fill(0, at, at + block);
      return Array.from({ length: 8 * block }, (_, k) => at * 8 + k);
    };
    check([INTERNET, FLETCHER16, FLETCHER32], true, setup);
    check([ADLER32, ...CRCS], false, setup);
  });

  test("Fletcher-16: compensating flips 255 bytes apart (Adler-32 and the CRCs catch them)", () => {
    const setup = (_a: ChecksumAlgorithm, m: Uint8Array, pick: number) => {
      const bit = pick % 8;
      const i = pick % (m.length - 255);
      m[i]! &= ~(1 << bit);
      m[i + 255]! |= 1 << bit;
      return [i * 8 + bit, (i + 255) * 8 + bit];
    };
    check([FLETCHER16], true, setup, 256);
    check([ADLER32, ...CRCS], false, setup, 256);
  });

  test("dual sums: the 3-bit error (+1, −2, +1) on three consecutive blocks (the CRCs catch it)", () => {
    const setup = (a: ChecksumAlgorithm, m: Uint8Array, pick: number) => {
      const block = a === FLETCHER32 ? 2 : 1;
      const first = block * (pick % 16);
      const low = (k: number) => first + k * block + block - 1;
      m.fill(0, first, first + 3 * block);
      m[low(1)] = 0x02;
      return [low(0) * 8, low(1) * 8 + 1, low(2) * 8];
    };
    check(DUAL_SUMS, true, setup);
    check(CRCS, false, setup);
  });
});

describe("CRCs", () => {
  test("detect random errors of 2 and 3 bits in packets up to 1500 bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 1500 }),
        fc.array(fc.nat(), { minLength: 2, maxLength: 3 }),
        (m, picks) => {
          for (const algorithm of CRCS) {
            const frame = makeFrame(algorithm, m);
            const bits = [...new Set(picks.map((p) => p % (frame.length * 8)))];
            assert.equal(missesError(algorithm, frame, bits), false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test("are linear: an error is missed exactly when its bits' syndromes XOR to zero", () => {
    for (const algorithm of CRCS) {
      const syndromes = frameSyndromes(algorithm, 40);
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 40, maxLength: 40 }),
          fc.uniqueArray(fc.nat(syndromes.length - 1), { minLength: 1, maxLength: 40 }),
          (m, bits) => {
            const predicted = bits.reduce((x, b) => (x ^ syndromes[b]!) >>> 0, 0) === 0;
            assert.equal(missesError(algorithm, makeFrame(algorithm, m), bits), predicted);
          },
        ),
        { numRuns: 200 },
      );
    }
  });
});
