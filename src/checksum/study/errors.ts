/**
 * Error models of the study, and how an error lands on a frame.
 *
 * A frame is the message followed by its check field (see `writeCheck`), as it travels. Its bits
 * are numbered in transmission order: byte by byte, each byte least-significant bit first, the
 * order in which Ethernet (IEEE 802.3) sends them and for which the CRCs' burst guarantee holds.
 * Errors may hit the check field as well as the message.
 */
import type { SeededRandom } from "./prng.js";

/** `count` distinct bits flipped uniformly at random, or a burst of `lengthBits`. */
export type ErrorModel =
  | { readonly kind: "bits"; readonly count: number }
  | { readonly kind: "burst"; readonly lengthBits: number };

/** `1-bit`, `burst-33`, ...: the model's column name. */
export function modelLabel(model: ErrorModel): string {
  return model.kind === "bits" ? `${model.count}-bit` : `burst-${model.lengthBits}`;
}

/** Parses a {@link modelLabel}; undefined when it is not one. */
export function parseModel(label: string): ErrorModel | undefined {
  const bits = /^(\d+)-bit$/.exec(label);
  if (bits !== null) return { kind: "bits", count: Number(bits[1]) };
  const burst = /^burst-(\d+)$/.exec(label);
  if (burst !== null) return { kind: "burst", lengthBits: Number(burst[1]) };
  return undefined;
}

/**
 * Draws one error of `model` on a frame of `frameBits` bits into `out` (cleared first) as bit
 * positions. Bits: `count` distinct positions, uniform. Burst of length L: a uniform start, the
 * first and last of its L bits flipped and each bit between flipped with probability 1/2 (the
 * usual definition: the error's span is exactly L).
 */
export function drawError(
  model: ErrorModel,
  frameBits: number,
  random: SeededRandom,
  out: number[],
): number[] {
  out.length = 0;
  if (model.kind === "bits") {
    if (model.count > frameBits) throw new RangeError(`${model.count} flips in ${frameBits} bits`);
    while (out.length < model.count) {
      const p = random.below(frameBits);
      if (!out.includes(p)) out.push(p);
    }
    return out;
  }
  const length = model.lengthBits;
  if (length < 1 || length > frameBits) throw new RangeError(`burst of ${length} in ${frameBits}`);
  const start = random.below(frameBits - length + 1);
  out.push(start);
  for (let k = 1; k < length - 1; k += 32) {
    const r = random.nextU32();
    for (let j = 0; j < 32 && k + j < length - 1; j++) if ((r >>> j) & 1) out.push(start + k + j);
  }
  if (length > 1) out.push(start + length - 1);
  return out;
}

/** Flips the bits at `positions` (transmission order) of `frame`, in place. */
export function flipBits(frame: Uint8Array, positions: readonly number[]): void {
  for (const p of positions) frame[p >>> 3]! ^= 1 << (p & 7);
}
