/**
 * The CRC facts of the study, checked exactly through linearity (`crc-linear.ts`) and confirmed
 * on real frames with the real implementation where an undetected error is exhibited.
 */
import { CRC32, CRC32C } from "../crc32.js";
import type { ChecksumAlgorithm } from "../types.js";
import {
  firstWeakBurstWindow,
  frameSyndromes,
  msbFirstOrder,
  smallestUndetectedWeight,
  undetectedBurstAt,
} from "./crc-linear.js";
import { bitList, type Fact, type FactOptions } from "./fact.js";
import { makeFrame, missesError } from "./frame.js";
import type { SeededRandom } from "./prng.js";

/** Hamming distance facts from the literature (Koopman 2002 / 2004 CRC tables). */
const EXPECTED_SHORT_WEIGHT: Record<string, number> = { crc32: 4, crc32c: 5 };

function parityOdd(v: number): boolean {
  v ^= v >>> 16;
  v ^= v >>> 8;
  v ^= v >>> 4;
  v ^= v >>> 2;
  v ^= v >>> 1;
  return (v & 1) === 1;
}

function weightFacts(
  algorithm: ChecksumAlgorithm,
  syndromes: Uint32Array,
  bytes: number,
  maxWeight: number,
  random: SeededRandom,
): Fact {
  const frameBits = syndromes.length;
  const found = smallestUndetectedWeight(syndromes, maxWeight);
  const expected = Math.min(maxWeight, EXPECTED_SHORT_WEIGHT[algorithm.name] ?? 3);
  const exampleMissed =
    found.example === undefined ||
    missesError(algorithm, makeFrame(algorithm, random.bytes(bytes)), found.example);
  const example =
    found.example === undefined
      ? ""
      : `; an undetected ${found.example.length}-bit error: ${bitList(found.example)} (missed on a random frame too: ${exampleMissed})`;
  return {
    claim: `${algorithm.title} detects every error of ≤ ${expected} bits in a ${bytes}-byte message`,
    holds: found.allDetectedUpTo >= expected && exampleMissed,
    evidence: `exhaustive over every error of ≤ ${maxWeight} bits in the ${frameBits}-bit frame: every error of ≤ ${found.allDetectedUpTo} bits detected${example}`,
  };
}

function burstFacts(
  algorithm: ChecksumAlgorithm,
  syndromes: Uint32Array,
  bytes: number,
  random: SeededRandom,
): Fact[] {
  const weak = firstWeakBurstWindow(syndromes, 32);
  const start = Math.floor(syndromes.length / 2) - 16;
  const burst33 = undetectedBurstAt(syndromes, start, 33);
  const frame = makeFrame(algorithm, random.bytes(bytes));
  const missed = burst33 !== undefined && missesError(algorithm, frame, burst33);
  const msbWeak = firstWeakBurstWindow(msbFirstOrder(syndromes), 32);
  const pattern = burst33?.map((p) => p - start).join(",") ?? "none";
  return [
    {
      claim: `${algorithm.title} detects every burst of ≤ 32 bits in a ${bytes}-byte message (LSB-first)`,
      holds: weak === -1,
      evidence:
        weak === -1
          ? `every window of 32 consecutive frame bits has linearly independent syndromes (${syndromes.length - 31} windows)`
          : `the window at bit ${weak} has dependent syndromes`,
    },
    {
      claim: `${algorithm.title} misses some bursts of 33 bits: the generator polynomial itself, shifted`,
      holds: missed,
      evidence: `undetected 33-bit burst at bit ${start}: offsets ${pattern} (the x^32…x^0 terms of the polynomial); missed on a random frame: ${missed}`,
    },
    {
      claim: `the burst guarantee depends on bit order: sent MSB-first, ${algorithm.title} misses some 32-bit bursts`,
      holds: msbWeak !== -1,
      evidence:
        msbWeak === -1
          ? "every MSB-first window of 32 bits is independent"
          : `first MSB-first window with dependent syndromes starts at bit ${msbWeak}`,
    },
  ];
}

/**
 * Where each CRC's Hamming distance drops, from Koopman's tables (data bits): the IEEE
 * polynomial has HD 5 up to 2974 bits (371 bytes), the Castagnoli one HD 6 up to 5243 bits
 * (655 bytes); one byte more and some 4-bit error goes undetected.
 */
const HD_BOUNDARIES = [
  { algorithm: CRC32, lastBytes: 371, hd: 5, dataBits: 2974 },
  { algorithm: CRC32C, lastBytes: 655, hd: 6, dataBits: 5243 },
] as const;

function boundaryFact(boundary: (typeof HD_BOUNDARIES)[number], random: SeededRandom): Fact {
  const { algorithm, lastBytes, hd, dataBits } = boundary;
  const within = smallestUndetectedWeight(frameSyndromes(algorithm, lastBytes), 4);
  const beyond = smallestUndetectedWeight(frameSyndromes(algorithm, lastBytes + 1), 4);
  const example = beyond.example ?? [];
  const missed =
    example.length === 4 &&
    missesError(algorithm, makeFrame(algorithm, random.bytes(lastBytes + 1)), example);
  return {
    claim: `${algorithm.title} detects every error of ≤ ${hd - 1} bits in messages of up to ${lastBytes} bytes, not at ${lastBytes + 1} (Koopman: HD ${hd} up to ${dataBits} data bits)`,
    holds: within.allDetectedUpTo >= 4 && beyond.allDetectedUpTo === 3 && missed,
    evidence: `exhaustive: every error of ≤ ${within.allDetectedUpTo} bits detected at ${lastBytes} bytes${hd === 6 ? ", and every odd-weight one (fact above)" : ""}, so at every shorter length too; at ${lastBytes + 1} bytes an undetected 4-bit error: ${bitList(example)} (missed on a random frame: ${missed})`,
  };
}

/** Checks the CRC facts for the short and long message lengths. */
export function crcFacts(options: FactOptions, random: SeededRandom): Fact[] {
  const facts: Fact[] = [];
  for (const algorithm of [CRC32, CRC32C]) {
    const short = frameSyndromes(algorithm, options.shortBytes);
    const long = frameSyndromes(algorithm, options.longBytes);
    facts.push(weightFacts(algorithm, short, options.shortBytes, options.weight5 ? 5 : 4, random));
    facts.push(weightFacts(algorithm, long, options.longBytes, 3, random));
    const oddDetected = [...long].every(parityOdd);
    facts.push({
      claim:
        algorithm === CRC32C
          ? "CRC-32C detects every error of an odd number of bits (x + 1 divides its polynomial)"
          : "CRC-32 does not detect every odd-weight error (x + 1 does not divide its polynomial)",
      holds: algorithm === CRC32C ? oddDetected : !oddDetected,
      evidence: `every frame bit's syndrome has odd parity: ${oddDetected} (${options.longBytes}-byte frame)`,
    });
    facts.push(...burstFacts(algorithm, long, options.longBytes, random));
  }
  if (options.hdBoundaries) for (const b of HD_BOUNDARIES) facts.push(boundaryFact(b, random));
  return facts;
}
