/** A message with its check field appended, and the receiver's test: the study's unit of work. */
import { type ChecksumAlgorithm, readCheck, writeCheck } from "../types.js";

/** Builds the frame `message ‖ check(message)` for `algorithm`. */
export function makeFrame(algorithm: ChecksumAlgorithm, message: Uint8Array): Uint8Array {
  const frame = new Uint8Array(message.length + algorithm.widthBits / 8);
  frame.set(message);
  writeCheck(algorithm, algorithm.compute(message), frame, message.length);
  return frame;
}

/** The receiver's verdict: does the check field still match the message's checksum? */
export function frameIsValid(algorithm: ChecksumAlgorithm, frame: Uint8Array): boolean {
  const messageBytes = frame.length - algorithm.widthBits / 8;
  const value = algorithm.compute(frame.subarray(0, messageBytes));
  return value === readCheck(algorithm, frame, messageBytes);
}

/**
 * Whether flipping the bits at `positions` (transmission order) of a valid `frame` leaves it
 * valid, i.e. the error goes undetected. The frame is restored before returning.
 */
export function missesError(
  algorithm: ChecksumAlgorithm,
  frame: Uint8Array,
  positions: readonly number[],
): boolean {
  for (const p of positions) frame[p >>> 3]! ^= 1 << (p & 7);
  const missed = frameIsValid(algorithm, frame);
  for (const p of positions) frame[p >>> 3]! ^= 1 << (p & 7);
  return missed;
}
