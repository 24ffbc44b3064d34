/**
 * XDR codecs and JSON conversion built at run time from a compiled `.x` model, for
 * `lupine call`: a `.x` file becomes callable without generating code.
 *
 * JSON mapping (both ways): int/unsigned/float/double → number; hyper → decimal string (a
 * number is accepted on input); bool → true/false; enum → member name (a number is accepted);
 * opaque → hex string; string → string; `T *` → value or null; array → array; struct → object;
 * union → `{ <discriminant>: value, <arm>: value }`; void → null.
 */
import type { Field, TypeDecl, XType } from "../compiler/model.js";
import * as xdr from "../xdr/index.js";

type Codec = xdr.XdrCodec<unknown>;

/** Finds a user-defined type of the compiled files by name. */
export type TypeLookup = (name: string) => TypeDecl | undefined;

/** Builds codecs for types of one compilation; recursive types go through `lazy`. */
export function codecBuilder(lookup: TypeLookup) {
  const built = new Map<string, Codec>();
  const building = new Set<string>();

  const ref = (name: string): Codec => {
    const done = built.get(name);
    if (done !== undefined) return done;
    if (building.has(name)) return xdr.lazy(name, 0, () => built.get(name)!);
    const decl = lookup(name);
    if (decl === undefined) throw new Error(`unknown type ${name}`);
    building.add(name);
    const c = declCodec(decl);
    building.delete(name);
    built.set(name, c);
    return c;
  };

  const fieldCodec = (f: Field | null): xdr.UnionArm =>
    f === null ? null : [f.name, codec(f.type)];

  const declCodec = (d: TypeDecl): Codec => {
    switch (d.kind) {
      case "external":
        // Defined outside the .x (rpcgen leaves it to C): fails with an XdrError when used.
        return xdr.external(d.name, "the .x file");
      case "typedef":
        return codec(d.type);
      case "enum":
        return xdr.enumeration(
          d.name,
          Object.fromEntries(d.members.map((m) => [m.name, m.value])),
        ) as Codec;
      case "struct":
        return xdr.struct(
          d.name,
          Object.fromEntries(d.fields.map((f) => [f.name, codec(f.type)])),
        ) as Codec;
      case "union": {
        const arms = new Map<number, xdr.UnionArm>();
        for (const a of d.arms)
          for (const v of a.values)
            arms.set(typeof v === "boolean" ? (v ? 1 : 0) : v, fieldCodec(a.field));
        return xdr.union<object>(d.name, {
          discriminant: [d.discriminant.name, codec(d.discriminant.type)],
          arms,
          ...(d.defaultArm === null ? {} : { defaultArm: fieldCodec(d.defaultArm.field) }),
        }) as Codec;
      }
    }
  };

  const codec = (t: XType): Codec => {
    switch (t.kind) {
      case "int":
        return xdr.int as Codec;
      case "uint":
        return xdr.uint as Codec;
      case "hyper":
        return xdr.hyper as Codec;
      case "uhyper":
        return xdr.uhyper as Codec;
      case "float":
        return xdr.float as Codec;
      case "double":
        return xdr.double as Codec;
      case "quadruple":
        return xdr.quadruple as Codec;
      case "bool":
        return xdr.bool as Codec;
      case "void":
        return xdr.void as Codec;
      case "string":
        return xdr.string(t.max ?? undefined) as Codec;
      case "opaque":
        return (t.fixed ? xdr.fixedOpaque(t.size ?? 0) : xdr.opaque(t.size ?? undefined)) as Codec;
      case "array":
        return (
          t.fixed
            ? xdr.fixedArray(codec(t.element), t.size ?? 0)
            : xdr.array(codec(t.element), t.size ?? undefined)
        ) as Codec;
      case "optional":
        return xdr.optional(codec(t.element)) as Codec;
      case "ref":
        return ref(t.name);
    }
  };
  return codec;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Converts JSON input to the value a codec of `t` expects; throws with the path on a mismatch. */
export function fromJson(t: XType, v: unknown, lookup: TypeLookup, path = "$"): unknown {
  const fail = (what: string): never => {
    throw new TypeError(`${path}: expected ${what}, got ${JSON.stringify(v)}`);
  };
  switch (t.kind) {
    case "int":
    case "uint":
    case "float":
    case "double":
      return typeof v === "number"
        ? v
        : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))
          ? Number(v)
          : fail("a number");
    case "hyper":
    case "uhyper":
      if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
      if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
      return fail("an integer (a decimal string for big values)");
    case "bool":
      return typeof v === "boolean" ? v : fail("true or false");
    case "void":
      return undefined;
    case "quadruple":
      return fail("nothing: quadruple is not supported by lupine call");
    case "string":
      return typeof v === "string" ? v : fail("a string");
    case "opaque":
      if (typeof v !== "string" || !/^([0-9a-fA-F]{2})*$/.test(v)) fail("a hex string");
      return new Uint8Array(Buffer.from(v as string, "hex"));
    case "array":
      if (!Array.isArray(v)) fail("an array");
      return (v as unknown[]).map((e, i) => fromJson(t.element, e, lookup, `${path}[${i}]`));
    case "optional":
      return v === null || v === undefined ? null : fromJson(t.element, v, lookup, path);
    case "ref": {
      const d = lookup(t.name);
      if (d === undefined) return fail(`a ${t.name}`);
      switch (d.kind) {
        case "external":
          return fail(`nothing: ${d.name} is defined outside the .x file`);
        case "typedef":
          return fromJson(d.type, v, lookup, path);
        case "enum": {
          const m = d.members.find((x) => x.name === v || x.value === v);
          return m === undefined
            ? fail(`one of ${d.members.map((x) => x.name).join(", ")}`)
            : m.value;
        }
        case "struct": {
          if (typeof v !== "object" || v === null || Array.isArray(v)) fail(`a ${d.name} object`);
          const o = v as Record<string, unknown>;
          return Object.fromEntries(
            d.fields.map((f) => [f.name, fromJson(f.type, o[f.name], lookup, `${path}.${f.name}`)]),
          );
        }
        case "union": {
          if (typeof v !== "object" || v === null) fail(`a ${d.name} object`);
          const o = v as Record<string, unknown>;
          const disc = fromJson(
            d.discriminant.type,
            o[d.discriminant.name],
            lookup,
            `${path}.${d.discriminant.name}`,
          );
          const arm =
            d.arms.find((a) => a.values.some((x) => x === disc))?.field ??
            d.defaultArm?.field ??
            null;
          const out: Record<string, unknown> = { [d.discriminant.name]: disc };
          if (arm !== null)
            out[arm.name] = fromJson(arm.type, o[arm.name], lookup, `${path}.${arm.name}`);
          return out;
        }
      }
    }
  }
}

/** Converts a decoded value to JSON-ready data (bigint → decimal string, opaque → hex). */
export function toJson(t: XType, v: unknown, lookup: TypeLookup): unknown {
  switch (t.kind) {
    case "hyper":
    case "uhyper":
      return String(v);
    case "opaque":
      return hex(v as Uint8Array);
    case "void":
      return null;
    case "quadruple":
      return String(v);
    case "array":
      return (v as unknown[]).map((e) => toJson(t.element, e, lookup));
    case "optional":
      return v === null ? null : toJson(t.element, v, lookup);
    case "ref": {
      const d = lookup(t.name);
      if (d === undefined) return v;
      switch (d.kind) {
        case "typedef":
          return toJson(d.type, v, lookup);
        case "enum":
          return d.members.find((m) => m.value === v)?.name ?? v;
        case "struct": {
          const o = v as Record<string, unknown>;
          return Object.fromEntries(
            d.fields.map((f) => [f.name, toJson(f.type, o[f.name], lookup)]),
          );
        }
        case "union": {
          const o = v as Record<string, unknown>;
          const disc = o[d.discriminant.name];
          const arm =
            d.arms.find((a) => a.values.some((x) => x === disc))?.field ??
            d.defaultArm?.field ??
            null;
          const out: Record<string, unknown> = {
            [d.discriminant.name]: toJson(d.discriminant.type, disc, lookup),
          };
          if (arm !== null) out[arm.name] = toJson(arm.type, o[arm.name], lookup);
          return out;
        }
      }
      return v;
    }
    default:
      return v;
  }
}
