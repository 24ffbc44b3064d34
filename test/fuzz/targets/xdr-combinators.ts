/**
 * The XDR primitives and combinators (`lupine/xdr`), both ways:
 *
 * - `xdr-combinators` (decoder): 4 bytes choose a codec shape (`xdr-shapes.ts`: int … quadruple,
 *   strings and opaques with bounds, enums, arrays, fixed arrays, optionals, structs, unions with
 *   and without default arms, tuples, recursive types through `lazy`), the rest is decoded.
 *   Only `XdrError`; decoded values re-encode stably.
 * - `xdr-writer` (encoder, the side user code meets): 4 bytes choose a shape, the rest steers a
 *   value generator that also makes wrong values (wrong types, out-of-range numbers, over-long
 *   strings and arrays, unknown union arms). Encoding throws only `XdrError`; what it writes
 *   decodes, and re-encodes to the same bytes.
 */
import type { Random } from "../../../src/io/index.js";
import { decode, encode, isXdrError } from "../../../src/xdr/index.js";
import { check, type FuzzTarget, proportionalBudget } from "../engine/target.js";
import { checkDecode } from "./xdr-check.js";
import { bytesRandom, shapeOf } from "./xdr-shapes.js";

function seedOf(input: Uint8Array): number {
  return ((input[0]! << 24) | (input[1]! << 16) | (input[2]! << 8) | input[3]!) >>> 0;
}

function withSeed(seed: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, seed);
  out.set(body, 4);
  return out;
}

/** Valid encodings of values of 128 shapes. */
function validEncodings(random: Random): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < 128; i++) {
    const seed = random.nextU32();
    const shape = shapeOf(seed);
    try {
      out.push(withSeed(seed, encode(shape.codec, shape.value(random, false))));
    } catch (e) {
      if (!isXdrError(e)) throw e;
    }
  }
  return out;
}

/** Decoding with random shapes. */
export function combinatorsTarget(): FuzzTarget {
  return {
    name: "xdr-combinators",
    summary: "XdrReader primitives through every combinator: only XdrError; values re-encode",
    maxLength: 4096,
    timeLimitMs: 250,
    budget: proportionalBudget(4, 64 * 1024),
    seeds: validEncodings,
    run(input) {
      if (input.length < 4) return;
      checkDecode(shapeOf(seedOf(input)).codec, input.subarray(4));
    },
  };
}

/** Encoding user values, right and wrong. */
export function writerTarget(): FuzzTarget {
  return {
    name: "xdr-writer",
    summary: "XdrWriter and combinators on right and wrong values: only XdrError; output decodes",
    maxLength: 1024,
    timeLimitMs: 250,
    budget: () => ({ bytes: 64 * 1024, elements: 1024 }),
    seeds: (random) => Array.from({ length: 64 }, () => random.bytes(4 + (random.nextU32() % 64))),
    run(input) {
      if (input.length < 4) return;
      const shape = shapeOf(seedOf(input));
      const value = shape.value(bytesRandom(input.subarray(4)), true);
      let bytes: Uint8Array;
      try {
        bytes = encode(shape.codec, value);
      } catch (e) {
        if (isXdrError(e)) return;
        throw e;
      }
      check(bytes.length % 4 === 0, "encoding is not a multiple of 4 bytes");
      decode(shape.codec, bytes);
      check(checkDecode(shape.codec, bytes), "what the writer wrote does not decode");
    },
  };
}
