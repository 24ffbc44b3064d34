/**
 * fast-check arbitraries for the types of a checked `.x` module, built by walking the compiler's
 * model: values of every type a file defines, for round-trip property tests and for the fuzzer's
 * structure-aware seeds (valid encodings, then mutated).
 */
import fc from "fast-check";
import type { Module, TypeDecl, XType } from "../../src/compiler/index.js";
import { Quadruple } from "../../src/xdr/index.js";

type Arb = fc.Arbitrary<unknown>;
const MAX_DEPTH = 3;

/**
 * Builds arbitraries for the types of one checked module (`modules` resolves imported types).
 * Nesting stops at depth 3 (empty arrays, null optionals); strings have at most 24 bytes.
 */
export function arbitraries(modules: readonly Module[], module: Module) {
  const lookup = (name: string): TypeDecl | undefined => {
    const own = module.types.get(name);
    if (own !== undefined) return own;
    const from = module.imports.get(name);
    return modules.find((m) => m.file === from)?.types.get(name);
  };
  const arb = (t: XType, depth: number): Arb => {
    switch (t.kind) {
      case "int":
        return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
      case "uint":
        return fc.integer({ min: 0, max: 2 ** 32 - 1 });
      case "hyper":
        return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
      case "uhyper":
        return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
      case "float":
        return fc.float();
      case "double":
        return fc.double();
      case "quadruple":
        return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => new Quadruple(b));
      case "bool":
        return fc.boolean();
      case "void":
        return fc.constant(undefined);
      case "string": {
        const max = Math.min(t.max ?? 24, 24);
        return fc
          .string({ unit: "grapheme", maxLength: max })
          .filter((s) => Buffer.byteLength(s) <= (t.max ?? 1e9));
      }
      case "opaque":
        return t.fixed
          ? fc.uint8Array({ minLength: t.size ?? 0, maxLength: t.size ?? 0 })
          : fc.uint8Array({ maxLength: Math.min(t.size ?? 24, 24) });
      case "array": {
        const el = arb(t.element, depth + 1);
        if (t.fixed) return fc.array(el, { minLength: t.size ?? 0, maxLength: t.size ?? 0 });
        return fc.array(el, { maxLength: depth >= MAX_DEPTH ? 0 : Math.min(t.size ?? 4, 4) });
      }
      case "optional":
        return depth >= MAX_DEPTH
          ? fc.constant(null)
          : fc.option(arb(t.element, depth + 1), { nil: null });
      case "ref":
        return declArb(lookup(t.name)!, depth);
    }
  };
  const declArb = (d: TypeDecl, depth: number): Arb => {
    switch (d.kind) {
      case "enum":
        return fc.constantFrom(...d.members.map((m) => m.value));
      case "typedef":
        return arb(d.type, depth);
      case "struct":
        return fc.record(
          Object.fromEntries(d.fields.map((f) => [f.name, arb(f.type, depth + 1)])),
          { noNullPrototype: true },
        );
      case "union": {
        const disc = d.discriminant.name;
        const arm = (values: Arb, field: { name: string; type: XType } | null) =>
          field === null
            ? values.map((v) => ({ [disc]: v }))
            : fc
                .tuple(values, arb(field.type, depth + 1))
                .map(([v, x]) => ({ [disc]: v, [field.name]: x }));
        const arms: Arb[] = d.arms
          .filter((a) => a.values.length > 0)
          .map((a) => arm(fc.constantFrom(...a.values), a.field));
        if (d.defaultArm !== null) {
          const listed = new Set(d.arms.flatMap((a) => a.values));
          let others: Arb | null;
          if (d.discriminantKind === "bool") {
            const left = [true, false].filter((b) => !listed.has(b));
            others = left.length === 0 ? null : fc.constantFrom(...left);
          } else if (d.discriminantKind === "enum") {
            const e = lookup(d.enumName!);
            const left =
              e?.kind === "enum" ? e.members.map((m) => m.value).filter((v) => !listed.has(v)) : [];
            others = left.length === 0 ? null : fc.constantFrom(...left);
          } else {
            const range =
              d.discriminantKind === "uint"
                ? { min: 0, max: 2 ** 32 - 1 }
                : { min: -(2 ** 31), max: 2 ** 31 - 1 };
            others = fc.integer(range).filter((v) => !listed.has(v));
          }
          if (others !== null) arms.push(arm(others, d.defaultArm.field));
        }
        return fc.oneof(...arms);
      }
      case "external":
        throw new Error(`${d.name} is defined outside the file: no values to generate`);
    }
  };
  return declArb;
}
