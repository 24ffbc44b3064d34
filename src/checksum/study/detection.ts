/**
 * The Monte Carlo half of the study: how often does an algorithm miss an error of a model?
 *
 * Each trial draws a fresh random message, appends its check value, corrupts the frame with one
 * error of the model (all draws from one seeded PRNG), and asks the receiver's question: does
 * the check field still match the checksum of the (corrupted) message? A match is an undetected
 * error. Random messages matter: for the sums, whether flips cancel depends on the data.
 */
import { type ChecksumAlgorithm, readCheck, writeCheck } from "../types.js";
import { drawError, type ErrorModel, flipBits } from "./errors.js";
import type { SeededRandom } from "./prng.js";

export interface DetectionOptions {
  readonly algorithm: ChecksumAlgorithm;
  readonly messageBytes: number;
  readonly model: ErrorModel;
  readonly trials: number;
  readonly random: SeededRandom;
}

export interface DetectionResult {
  readonly trials: number;
  readonly undetected: number;
  /** Bit positions (transmission order) of the first undetected error, if any. */
  readonly firstUndetected?: readonly number[];
}

/** Runs `trials` trials; synchronous, about two checksum computations per trial. */
export function measureDetection(options: DetectionOptions): DetectionResult {
  const { algorithm, messageBytes, model, trials, random } = options;
  const frame = new Uint8Array(messageBytes + algorithm.widthBits / 8);
  const message = frame.subarray(0, messageBytes);
  const positions: number[] = [];
  let undetected = 0;
  let firstUndetected: number[] | undefined;
  for (let t = 0; t < trials; t++) {
    random.fill(message);
    writeCheck(algorithm, algorithm.compute(message), frame, messageBytes);
    drawError(model, frame.length * 8, random, positions);
    flipBits(frame, positions);
    if (algorithm.compute(message) === readCheck(algorithm, frame, messageBytes)) {
      undetected++;
      firstUndetected ??= [...positions];
    }
  }
  return firstUndetected === undefined
    ? { trials, undetected }
    : { trials, undetected, firstUndetected };
}
