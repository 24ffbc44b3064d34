/**
 * Facts about the sums (additive, Internet, Fletcher, Adler): exhaustive over the errors of a
 * class for a few random messages (their detection depends on the data, so no linear shortcut),
 * and constructed errors that theory says a sum must miss, checked on real frames.
 */

import { SUM8, SUM16, SUM32 } from "../additive.js";
import { ADLER32 } from "../adler32.js";
import { CRC32, CRC32C } from "../crc32.js";
import { FLETCHER16, FLETCHER32 } from "../fletcher.js";
import { INTERNET } from "../internet.js";
import { CHECKSUMS } from "../registry.js";
import type { ChecksumAlgorithm } from "../types.js";
import { bitList, type Fact, type FactOptions } from "./fact.js";
import { makeFrame, missesError } from "./frame.js";
import type { SeededRandom } from "./prng.js";

/** Counts undetected errors over every single bit, or every pair of bits, of one frame. */
function countMissed(algorithm: ChecksumAlgorithm, frame: Uint8Array, weight: 1 | 2): number {
  const n = frame.length * 8;
  let missed = 0;
  for (let i = 0; i < n; i++) {
    if (weight === 1) {
      if (missesError(algorithm, frame, [i])) missed++;
      continue;
    }
    for (let j = i + 1; j < n; j++) if (missesError(algorithm, frame, [i, j])) missed++;
  }
  return missed;
}

/** Every error of bursts of ≤ `maxLength` bits of one frame: how many are missed. */
function countMissedBursts(algorithm: ChecksumAlgorithm, frame: Uint8Array, maxLength: number) {
  const n = frame.length * 8;
  let missed = 0;
  let total = 0;
  for (let length = 1; length <= maxLength; length++) {
    const inner = length >= 2 ? length - 2 : 0;
    for (let start = 0; start + length <= n; start++) {
      for (let pattern = 0; pattern < 1 << inner; pattern++) {
        const bits = [start];
        for (let k = 0; k < inner; k++) if ((pattern >>> k) & 1) bits.push(start + 1 + k);
        if (length >= 2) bits.push(start + length - 1);
        total++;
        if (missesError(algorithm, frame, bits)) missed++;
      }
    }
  }
  return { missed, total };
}

function exhaustiveFact(
  claim: string,
  algorithms: readonly ChecksumAlgorithm[],
  count: (a: ChecksumAlgorithm, frame: Uint8Array) => { missed: number; total: number },
  options: { bytes: number; messages: number; random: SeededRandom; expectMissed: boolean },
): Fact {
  const parts: string[] = [];
  let holds = true;
  for (const algorithm of algorithms) {
    let missed = 0;
    let total = 0;
    for (let m = 0; m < options.messages; m++) {
      const r = count(algorithm, makeFrame(algorithm, options.random.bytes(options.bytes)));
      missed += r.missed;
      total += r.total;
    }
    if (options.expectMissed ? missed === 0 : missed !== 0) holds = false;
    parts.push(`${algorithm.name} ${missed}/${total}`);
  }
  return {
    claim,
    holds,
    evidence: `exhaustive on ${options.messages} random ${options.bytes}-byte message(s), undetected/errors: ${parts.join(", ")}`,
  };
}

/**
 * Sets up a message, computes its frame, flips `bits` and reports whether each algorithm missed
 * it; `prepare` writes the bytes the construction needs.
 */
function constructed(
  claim: string,
  cases: readonly { algorithm: ChecksumAlgorithm; expectMissed: boolean }[],
  build: (algorithm: ChecksumAlgorithm, message: Uint8Array) => number[],
  bytes: number,
  random: SeededRandom,
): Fact {
  let holds = true;
  const parts: string[] = [];
  for (const { algorithm, expectMissed } of cases) {
    const message = random.bytes(bytes);
    const bits = build(algorithm, message);
    const missed = missesError(algorithm, makeFrame(algorithm, message), bits);
    if (missed !== expectMissed) holds = false;
    parts.push(`${algorithm.name}: ${missed ? "missed" : "detected"}`);
  }
  const example = build(cases[0]!.algorithm, random.bytes(bytes));
  return { claim, holds, evidence: `${parts.join("; ")} (e.g. ${bitList(example)})` };
}

/** Transmission-order position of bit `bit` (0 = least significant) of byte `byte`. */
const at = (byte: number, bit: number): number => byte * 8 + bit;

/** Checks the facts about the sums. */
export function sumFacts(options: FactOptions, random: SeededRandom): Fact[] {
  const { shortBytes, longBytes, messages } = options;
  const dualSums = [FLETCHER16, FLETCHER32, ADLER32];
  const plainSums = [SUM8, SUM16, SUM32, INTERNET];
  const crcs = [CRC32, CRC32C];
  const single = (a: ChecksumAlgorithm, f: Uint8Array) => ({
    missed: countMissed(a, f, 1),
    total: f.length * 8,
  });
  const pairs = (a: ChecksumAlgorithm, f: Uint8Array) => ({
    missed: countMissed(a, f, 2),
    total: (f.length * 8 * (f.length * 8 - 1)) / 2,
  });
  const rnd = { messages, random, expectMissed: false };
  return [
    exhaustiveFact("every algorithm detects every single-bit error", CHECKSUMS, single, {
      ...rnd,
      bytes: longBytes,
    }),
    exhaustiveFact(
      "Fletcher-16/32 and Adler-32 detect every 2-bit error in a short message",
      dualSums,
      pairs,
      { ...rnd, bytes: shortBytes },
    ),
    exhaustiveFact("the plain sums miss some 2-bit errors (Hamming distance 2)", plainSums, pairs, {
      ...rnd,
      bytes: shortBytes,
      expectMissed: true,
    }),
    exhaustiveFact(
      "every algorithm detects every burst of ≤ 7 bits",
      CHECKSUMS,
      (a, f) => countMissedBursts(a, f, 7),
      { ...rnd, bytes: shortBytes },
    ),
    constructed(
      "two's complement sums miss two 0→1 flips of the most significant bit of two words (the carry is lost); the Internet checksum's end-around carry catches them",
      [
        { algorithm: SUM8, expectMissed: true },
        { algorithm: SUM16, expectMissed: true },
        { algorithm: SUM32, expectMissed: true },
        { algorithm: INTERNET, expectMissed: false },
      ],
      (algorithm, message) => {
        const word = algorithm.widthBits / 8;
        message[0]! &= 0x7f; // words are big-endian: the MSB is bit 7 of the word's first byte
        message[word]! &= 0x7f;
        return [at(0, 7), at(word, 7)];
      },
      shortBytes,
      random,
    ),
    constructed(
      "plain sums miss a 0→1 and a 1→0 flip in the same bit column of two words; Fletcher's second sum and the CRCs catch it",
      [
        ...plainSums.map((algorithm) => ({ algorithm, expectMissed: true })),
        ...[...dualSums, ...crcs].map((algorithm) => ({ algorithm, expectMissed: false })),
      ],
      (_algorithm, message) => {
        message[0]! &= ~0x04; // bit 2 of byte 0: 0 → 1
        message[4]! |= 0x04; // bit 2 of byte 4 (same column for 8/16/32-bit words): 1 → 0
        return [at(0, 2), at(4, 2)];
      },
      shortBytes,
      random,
    ),
    constructed(
      "modulo 2^n − 1 has two zeros: a block 0x00…00 ↔ 0xFF…FF goes unseen by the Internet checksum and Fletcher; Adler-32's prime modulus sees it",
      [
        { algorithm: INTERNET, expectMissed: true },
        { algorithm: FLETCHER16, expectMissed: true },
        { algorithm: FLETCHER32, expectMissed: true },
        { algorithm: ADLER32, expectMissed: false },
      ],
      (algorithm, message) => {
        const block = algorithm === FLETCHER16 || algorithm === ADLER32 ? 1 : 2;
        message.fill(0, 2, 2 + block);
        return Array.from({ length: block * 8 }, (_, k) => 16 + k);
      },
      shortBytes,
      random,
    ),
    constructed(
      "Fletcher-16 misses two compensating flips 255 bytes apart in a long message (HD 2 beyond 255 bytes); Adler-32 detects them",
      [
        { algorithm: FLETCHER16, expectMissed: true },
        { algorithm: ADLER32, expectMissed: false },
      ],
      (_algorithm, message) => {
        message[10]! &= ~0x01;
        message[265]! |= 0x01;
        return [at(10, 0), at(265, 0)];
      },
      longBytes,
      random,
    ),
    constructed(
      "the dual sums miss the 3-bit error that adds (+1, −2, +1) to three consecutive blocks (Hamming distance 3); the CRCs detect it",
      [
        ...dualSums.map((algorithm) => ({ algorithm, expectMissed: true })),
        ...crcs.map((algorithm) => ({ algorithm, expectMissed: false })),
      ],
      (algorithm, message) => {
        const block = algorithm === FLETCHER32 ? 2 : 1;
        const low = (k: number) => 20 + k * block + block - 1; // the block's low-order byte
        message.fill(0, 20, 20 + 3 * block);
        message[low(1)] = 0x02;
        return [at(low(0), 0), at(low(1), 1), at(low(2), 0)];
      },
      shortBytes,
      random,
    ),
  ];
}
