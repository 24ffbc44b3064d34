/**
 * Random codec shapes built from the `lupine/xdr` combinators, with a value generator for each:
 * the fuzzer's way into the primitives and combinators themselves (a generated module exercises
 * only the shapes its file has). A shape is a pure function of a 32-bit seed, so mutating the
 * seed bytes of an input explores other shapes. Values can be generated well-typed, or
 * "corrupted" (wrong types, out-of-range numbers, over-long strings and arrays, unknown union
 * arms), for the writer target.
 */
import type { Random } from "../../../src/io/index.js";
import * as xdr from "../../../src/xdr/index.js";
import { seededRandom } from "../../helpers/prng.js";

/** A codec and a way to make values for it. */
export interface Shape {
  readonly codec: xdr.XdrCodec<unknown>;
  /** A value; with `corrupt`, sometimes not a valid one. */
  value(random: Random, corrupt: boolean, depth?: number): unknown;
}

const below = (r: Random, n: number) => (n <= 1 ? 0 : r.nextU32() % n);

/** Something that is not a valid value of any type, or of the wrong type. */
function junk(r: Random): unknown {
  const all = [
    undefined,
    null,
    "text",
    -1,
    2 ** 32,
    2 ** 53 + 1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    1.5,
    -(2n ** 70n),
    {},
    [],
    new Uint8Array(3),
    true,
    Symbol("x"),
    () => 0,
  ];
  return all[below(r, all.length)];
}

function wrap(shape: Shape): Shape {
  return { codec: shape.codec, value: corruptOr(shape.value) };
}

function leaf(r: Random): Shape {
  const bound = [0, 1, 3, 4, 16, 255, 0xffffffff][below(r, 7)]!;
  const bytes = (rr: Random, n: number) => rr.bytes(n);
  const shapes: (() => Shape)[] = [
    () => ({ codec: xdr.int, value: (rr) => rr.nextU32() | 0 }),
    () => ({ codec: xdr.uint, value: (rr) => rr.nextU32() }),
    () => ({ codec: xdr.bool, value: (rr) => below(rr, 2) === 1 }),
    () => ({ codec: xdr.hyper, value: (rr) => BigInt.asIntN(64, BigInt(rr.nextU32()) << 32n) }),
    () => ({ codec: xdr.uhyper, value: (rr) => BigInt(rr.nextU32()) * BigInt(rr.nextU32()) }),
    () => ({ codec: xdr.float, value: (rr) => Math.fround((rr.nextU32() | 0) / 7) }),
    () => ({ codec: xdr.double, value: (rr) => (rr.nextU32() | 0) / 3 }),
    () => ({ codec: xdr.quadruple, value: (rr) => new xdr.Quadruple(bytes(rr, 16)) }),
    () => ({ codec: xdr.void, value: () => undefined }),
    () => ({
      codec: xdr.string(bound),
      value: (rr) => "añ€😀x".repeat(1 + below(rr, 3)).slice(0, Math.min(bound, 8)),
    }),
    () => ({
      codec: xdr.opaque(bound),
      value: (rr) => bytes(rr, below(rr, Math.min(bound, 9) + 1)),
    }),
    () => {
      const n = below(r, 10);
      return { codec: xdr.fixedOpaque(n), value: (rr) => bytes(rr, n) };
    },
    () => {
      const e = xdr.enumeration("e", { A: 0, B: 1, C: -5, D: 0x7fffffff });
      const v = [0, 1, -5, 0x7fffffff];
      return { codec: e, value: (rr) => v[below(rr, 4)] };
    },
    () => ({ codec: xdr.unboundedString, value: () => "ok" }),
    () => ({ codec: xdr.unboundedOpaque, value: (rr) => bytes(rr, below(rr, 6)) }),
  ];
  return wrap(shapes[below(r, shapes.length)]!());
}

function corruptOr(shape: Shape["value"]): Shape["value"] {
  return (r, corrupt, depth = 0) =>
    corrupt && below(r, 16) === 0 ? junk(r) : shape(r, corrupt, depth);
}

function composite(r: Random, depth: number): Shape {
  return wrap(compositeRaw(r, depth));
}

function compositeRaw(r: Random, depth: number): Shape {
  const kind = below(r, 8);
  if (depth >= 3 || kind === 0) return leaf(r);
  switch (kind) {
    case 1: {
      const el = composite(r, depth + 1);
      // A message holds no more zero-byte elements than it has bytes left (XdrReader.readLength),
      // which the writer cannot know: such arrays are left to the unit tests.
      if (el.codec.minSize === 0) return el;
      const max = [0, 2, 5, 0xffffffff][below(r, 4)]!;
      return {
        codec: xdr.array(el.codec, max),
        value: (rr, c, d = 0) =>
          Array.from({ length: below(rr, Math.min(max, 4) + (c ? 2 : 1)) }, () =>
            el.value(rr, c, d + 1),
          ),
      };
    }
    case 2: {
      const el = composite(r, depth + 1);
      const n = below(r, 4);
      return {
        codec: xdr.fixedArray(el.codec, n),
        value: (rr, c, d = 0) =>
          Array.from({ length: c && below(rr, 8) === 0 ? n + 1 : n }, () => el.value(rr, c, d + 1)),
      };
    }
    case 3: {
      const el = composite(r, depth + 1);
      // `T * *` and `void *` cannot round-trip as `T | null` (docs/fuzzing.md): not generated.
      if (el.codec.name === "void" || el.codec.name.endsWith(" *")) return el;
      return {
        codec: xdr.optional(el.codec),
        value: (rr, c, d = 0) => (below(rr, 2) === 0 ? null : el.value(rr, c, d + 1)),
      };
    }
    case 4: {
      const fields = Array.from({ length: 1 + below(r, 4) }, () => composite(r, depth + 1));
      const spec = Object.fromEntries(fields.map((f, i) => [`f${i}`, f.codec]));
      return {
        codec: xdr.struct("s", spec),
        value: (rr, c, d = 0) =>
          Object.fromEntries(fields.map((f, i) => [`f${i}`, f.value(rr, c, d + 1)])),
      };
    }
    case 5: {
      const arms = Array.from({ length: 1 + below(r, 3) }, () => composite(r, depth + 1));
      const withDefault = below(r, 2) === 0;
      const fallback = withDefault ? composite(r, depth + 1) : null;
      const codec = xdr.union("u", {
        discriminant: ["d", xdr.int],
        arms: new Map(arms.map((a, i) => [i * 3 - 1, [`a${i}`, a.codec] as const])),
        ...(fallback === null ? {} : { defaultArm: ["z", fallback.codec] as const }),
      });
      return {
        codec,
        value: (rr, c, d = 0) => {
          const i = below(rr, arms.length + (fallback !== null || c ? 1 : 0));
          if (i === arms.length)
            return { d: 1000 + below(rr, 5), z: fallback?.value(rr, c, d + 1) };
          return { d: i * 3 - 1, [`a${i}`]: arms[i]!.value(rr, c, d + 1) };
        },
      };
    }
    case 6: {
      const parts = Array.from({ length: below(r, 3) }, () => composite(r, depth + 1));
      return {
        codec: xdr.tuple(...parts.map((p) => p.codec)),
        value: (rr, c, d = 0) => parts.map((p) => p.value(rr, c, d + 1)),
      };
    }
    default: {
      // A recursive type through lazy: node { int v; node *next; } (counted depth, not a loop).
      const head = leaf(r);
      type Node = { v: unknown; next: Node | null };
      const node: xdr.XdrCodec<Node> = xdr.lazy(
        "node",
        head.codec.minSize + 4,
        () => xdr.struct("node", { v: head.codec, next: xdr.optional(node) }) as xdr.XdrCodec<Node>,
      );
      return {
        codec: node,
        value: (rr, c) => {
          let n: Node | null = null;
          for (let i = below(rr, 5); i >= 0; i--) n = { v: head.value(rr, c), next: n };
          return n;
        },
      };
    }
  }
}

/** The shape of `seed` (the same seed always gives the same shape). */
export function shapeOf(seed: number): Shape {
  return composite(seededRandom(seed), 0);
}

/**
 * A `Random` that draws from `bytes` (4 bytes per number; zeros once they run out), so that a
 * fuzzer's input can steer a generator (libFuzzer's FuzzedDataProvider idea).
 */
export function bytesRandom(bytes: Uint8Array): Random {
  let at = 0;
  const nextU32 = () => {
    let v = 0;
    for (let i = 0; i < 4; i++) v = (v << 8) | (bytes[at++] ?? 0);
    return v >>> 0;
  };
  return {
    nextU32,
    next: () => nextU32() / 0x1_0000_0000,
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes[at++] ?? 0;
      return out;
    },
  };
}
