/**
 * Codec builders for the RFC 4506 composite types, for programs defined in TypeScript without a
 * `.x` file. Generated code does not use these on its hot path (it emits straight-line codecs),
 * but produces objects of the same {@link XdrCodec} shape, so both mix freely.
 */
import type { Infer, XdrCodec } from "./codec.js";
import { XdrError } from "./error.js";

const UNBOUNDED = 0xffffffff;

/** §4.3 `enum`: the value must be one of `members` (both ways). */
export function enumeration<const M extends Record<string, number>>(
  name: string,
  members: M,
): XdrCodec<M[keyof M]> {
  const valid = new Set<number>(Object.values(members));
  return {
    name,
    minSize: 4,
    encode(w, v) {
      if (!valid.has(v))
        throw new XdrError(`${String(v)} is not a member of enum ${name}`, w.length);
      w.writeInt(v);
    },
    decode(r) {
      const v = r.readInt();
      if (!valid.has(v)) r.fail(`${v} is not a member of enum ${name}`, r.pos - 4);
      return v as M[keyof M];
    },
  };
}

/** §4.9 `opaque[n]`. */
export function fixedOpaque(length: number): XdrCodec<Uint8Array> {
  return {
    name: `opaque[${length}]`,
    minSize: length + ((4 - (length & 3)) & 3),
    encode: (w, v) => w.writeFixedOpaque(v, length),
    decode: (r) => r.readFixedOpaque(length),
  };
}

/** §4.10 `opaque<max>` (no bound when `max` is omitted). */
export function opaque(max = UNBOUNDED): XdrCodec<Uint8Array> {
  return {
    name: max === UNBOUNDED ? "opaque<>" : `opaque<${max}>`,
    minSize: 4,
    encode: (w, v) => w.writeVarOpaque(v, max),
    decode: (r) => r.readVarOpaque(max),
  };
}

/** §4.11 `string<max>`, UTF-8 (no bound when `max` is omitted). */
export function string(max = UNBOUNDED): XdrCodec<string> {
  return {
    name: max === UNBOUNDED ? "string<>" : `string<${max}>`,
    minSize: 4,
    encode: (w, v) => w.writeString(v, max),
    decode: (r) => r.readString(max),
  };
}

/** §4.12 `T[n]`. */
export function fixedArray<T>(element: XdrCodec<T>, length: number): XdrCodec<T[]> {
  return {
    name: `${element.name}[${length}]`,
    minSize: element.minSize * length,
    encode(w, v) {
      w.writeArrayLength(v, length, true);
      for (let i = 0; i < v.length; i++) {
        try {
          element.encode(w, v[i] as T);
        } catch (e) {
          throw XdrError.at(e, "", `[${i}]`);
        }
      }
    },
    decode(r) {
      r.checkFixedArray(length, element.minSize);
      const out: T[] = new Array(length);
      for (let i = 0; i < length; i++) {
        try {
          out[i] = element.decode(r);
        } catch (e) {
          throw XdrError.at(e, "", `[${i}]`);
        }
      }
      return out;
    },
  };
}

/** §4.13 `T<max>` (no bound when `max` is omitted). */
export function array<T>(element: XdrCodec<T>, max = UNBOUNDED): XdrCodec<T[]> {
  return {
    name: `${element.name}<${max === UNBOUNDED ? "" : max}>`,
    minSize: 4,
    encode(w, v) {
      w.writeArrayLength(v, max, false);
      for (let i = 0; i < v.length; i++) {
        try {
          element.encode(w, v[i] as T);
        } catch (e) {
          throw XdrError.at(e, "", `[${i}]`);
        }
      }
    },
    decode(r) {
      const n = r.readLength(max, element.minSize);
      const out: T[] = new Array(n);
      for (let i = 0; i < n; i++) {
        try {
          out[i] = element.decode(r);
        } catch (e) {
          throw XdrError.at(e, "", `[${i}]`);
        }
      }
      return out;
    },
  };
}

/** §4.19 optional-data `T *`, as `T | null`. */
export function optional<T>(element: XdrCodec<T>): XdrCodec<T | null> {
  return {
    name: `${element.name} *`,
    minSize: 4,
    encode(w, v) {
      w.writeBool(v !== null && v !== undefined);
      if (v !== null && v !== undefined) element.encode(w, v);
    },
    decode: (r) => (r.readBool() ? element.decode(r) : null),
  };
}

/** The object type a struct's field codecs describe. */
export type StructOf<F extends Record<string, XdrCodec<unknown>>> = {
  -readonly [K in keyof F]: Infer<F[K]>;
};

/** §4.14 `struct`: fields in declaration order (the order of `fields`' keys). */
export function struct<const F extends Record<string, XdrCodec<unknown>>>(
  name: string,
  fields: F,
): XdrCodec<StructOf<F>> {
  const entries = Object.entries(fields);
  const minSize = entries.reduce((n, [, c]) => n + c.minSize, 0);
  return {
    name,
    minSize,
    encode(w, v) {
      if (typeof v !== "object" || v === null)
        throw new XdrError(`${name} expects an object`, w.length);
      for (const [field, codec] of entries) {
        try {
          codec.encode(w, (v as Record<string, unknown>)[field]);
        } catch (e) {
          throw XdrError.at(e, name, field);
        }
      }
    },
    decode(r) {
      const out: Record<string, unknown> = {};
      for (const [field, codec] of entries) {
        try {
          out[field] = codec.decode(r);
        } catch (e) {
          throw XdrError.at(e, name, field);
        }
      }
      return out as StructOf<F>;
    },
  };
}

/** One arm of a union: the field's name and codec, or `null` for a `void` arm. */
export type UnionArm = readonly [field: string, codec: XdrCodec<unknown>] | null;

/** How {@link union} lays out a discriminated union. */
export interface UnionSpec {
  /** Name of the discriminant field, and its codec (`int`, `unsigned int`, `bool`, an enum). */
  readonly discriminant: readonly [field: string, codec: XdrCodec<unknown>];
  /** Arms by case value (numbers; `1`/`0` for bool `TRUE`/`FALSE`). */
  readonly arms: ReadonlyMap<number, UnionArm>;
  /** The `default:` arm; `undefined` when there is none (other values are then errors). */
  readonly defaultArm?: UnionArm;
}

/**
 * §4.15 discriminated union, as an object holding the discriminant under its own name and the
 * selected arm's value under the arm's name: `{ status: 0, resok: {...} }`. `U` is the
 * TypeScript union type the caller declares.
 */
export function union<U extends object>(name: string, spec: UnionSpec): XdrCodec<U> {
  const [discField, discCodec] = spec.discriminant;
  const armFor = (d: unknown, offset: number): UnionArm => {
    const key = typeof d === "boolean" ? (d ? 1 : 0) : (d as number);
    const arm = spec.arms.get(key);
    if (arm !== undefined) return arm;
    if (spec.defaultArm !== undefined) return spec.defaultArm;
    throw new XdrError(`no arm of union ${name} for ${discField} = ${String(d)}`, offset);
  };
  return {
    name,
    minSize: discCodec.minSize,
    encode(w, v) {
      const rec = v as Record<string, unknown>;
      try {
        const d = rec[discField];
        discCodec.encode(w, d);
        const arm = armFor(d, w.length);
        if (arm !== null) {
          try {
            arm[1].encode(w, rec[arm[0]]);
          } catch (e) {
            throw XdrError.at(e, name, arm[0]);
          }
        }
      } catch (e) {
        throw XdrError.at(e, name);
      }
    },
    decode(r) {
      let d: unknown;
      try {
        d = discCodec.decode(r);
      } catch (e) {
        throw XdrError.at(e, name, discField);
      }
      const arm = armFor(d, r.pos);
      const out: Record<string, unknown> = { [discField]: d };
      if (arm !== null) {
        try {
          out[arm[0]] = arm[1].decode(r);
        } catch (e) {
          throw XdrError.at(e, name, arm[0]);
        }
      }
      return out as U;
    },
  };
}

/**
 * A codec resolved on first use: for recursive and mutually recursive types. Counts nesting on
 * decode so that hostile depth ends in an `XdrError`, not a stack overflow.
 */
export function lazy<T>(name: string, minSize: number, get: () => XdrCodec<T>): XdrCodec<T> {
  let codec: XdrCodec<T> | undefined;
  return {
    name,
    minSize,
    encode(w, v) {
      codec ??= get();
      codec.encode(w, v);
    },
    decode(r) {
      codec ??= get();
      r.enter();
      const v = codec.decode(r);
      r.leave();
      return v;
    },
  };
}

/** The values several codecs describe, in order. */
export type TupleOf<C extends readonly XdrCodec<unknown>[]> = {
  -readonly [K in keyof C]: Infer<C[K]>;
};

/** Several values one after another: the arguments of a multi-argument procedure (rpcgen -N). */
export function tuple<const C extends readonly XdrCodec<unknown>[]>(
  ...codecs: C
): XdrCodec<TupleOf<C>> {
  return {
    name: `(${codecs.map((c) => c.name).join(", ")})`,
    minSize: codecs.reduce((n, c) => n + c.minSize, 0),
    encode(w, v) {
      for (let i = 0; i < codecs.length; i++) codecs[i]!.encode(w, (v as unknown[])[i]);
    },
    decode(r) {
      const out = new Array(codecs.length);
      for (let i = 0; i < codecs.length; i++) out[i] = codecs[i]!.decode(r);
      return out as TupleOf<C>;
    },
  };
}
