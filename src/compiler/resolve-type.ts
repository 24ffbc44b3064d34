/**
 * Checker, type names: what a name used as a type specifier (RFC 4506 §6.3 `type-specifier`)
 * stands for, searched the way the C build of rpcgen's output would find it — a definition in
 * this file, then in the other files compiled together, then the C and libtirpc type names
 * (`u_int`, `netobj`), then `%#define` lines the file copies into its C header
 * (`%#define ndmp2_u_quad unsigned long long`, `%#define xdr_dev_t xdr_u_int`). A name found
 * nowhere is defined outside the compiled files; the caller decides what that means.
 */
import { C_ROUTINES, C_SPELLINGS, C_TYPES } from "./c-types.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import type { XType } from "./model.js";
import type { ConstEvaluator, FileScope, NamedTypeDef } from "./scope.js";

/** What a type name resolved to. */
export type TypeLookupResult =
  /** A type; `from` is the file that defines it (an import when it is not the checked one). */
  | { readonly kind: "found"; readonly type: XType; readonly from: string }
  /** Not a type (a constant): reported. */
  | { readonly kind: "error" }
  /** Defined nowhere in the compilation: outside it. */
  | { readonly kind: "outside" };

/** Resolves type names for one file of a compilation. */
export class NameResolver {
  constructor(
    private readonly scope: FileScope,
    private readonly scopes: readonly FileScope[],
    private readonly evaluator: ConstEvaluator,
    private readonly diags: DiagnosticBag,
  ) {}

  /** Resolves `name` written as a type (`tag`: the `struct`/`union`/`enum` keyword before it). */
  type(name: string, pos: Pos, tag?: "struct" | "union" | "enum"): TypeLookupResult {
    const found = this.declared(name);
    if (found !== undefined) {
      const { scope, def } = found;
      if (tag !== undefined && def.kind !== "typedef" && def.kind !== tag) {
        this.diags.warning(pos, "tag-mismatch", `'${tag} ${name}' names a ${def.kind}`);
      }
      return { kind: "found", type: { kind: "ref", name }, from: scope.file };
    }
    const c = C_TYPES[name] ?? this.cTypeDefine(name);
    if (c !== undefined) return { kind: "found", type: c, from: this.scope.file };
    const routine = this.cCodecDefine(name);
    if (routine !== undefined) return routine;
    if (this.evaluator.find(this.scope, name) !== undefined) {
      this.diags.error(pos, "not-a-type", `'${name}' is a constant, not a type`);
      return { kind: "error" };
    }
    return { kind: "outside" };
  }

  /** The declaration of type `name` in this file, else in the first other file defining it. */
  declared(name: string): { scope: FileScope; def: NamedTypeDef } | undefined {
    const scope = this.scope.types.has(name)
      ? this.scope
      : this.scopes.find((s) => s.types.has(name));
    const def = scope?.types.get(name);
    return scope === undefined || def === undefined ? undefined : { scope, def };
  }

  /** Follows typedefs by their declarations (types may not be checked yet). */
  resolveAlias(t: XType): XType {
    let cur = t;
    for (let guard = 0; cur.kind === "ref" && guard < 100; guard++) {
      const d = this.declared(cur.name);
      if (d === undefined || d.def.kind !== "typedef") return cur;
      const decl = d.def.def.decl;
      if (decl.shape !== "plain") return { kind: "array", fixed: false, size: null, element: cur };
      const spec = decl.type;
      if (spec.kind === "builtin") {
        if (spec.name === "string" || spec.name === "opaque") return { kind: "string", max: null };
        return { kind: spec.name };
      }
      if (spec.kind === "inline") return { kind: "ref", name: cur.name };
      const c = C_TYPES[spec.name];
      if (c !== undefined && d.scope.types.get(spec.name) === undefined) return c;
      cur = { kind: "ref", name: spec.name };
    }
    return cur;
  }

  /** The body of a `%#define NAME body` line of this file or another, as text. */
  private cDefineText(name: string): string | undefined {
    const scope = this.scope.cDefines.has(name)
      ? this.scope
      : this.scopes.find((s) => s.cDefines.has(name));
    return scope?.cDefines
      .get(name)
      ?.body.map((t) => t.text)
      .join(" ");
  }

  /** `%#define NAME <C integer type>` (`%#define ndmp2_u_quad unsigned long long`). */
  private cTypeDefine(name: string): XType | undefined {
    const body = this.cDefineText(name);
    if (body === undefined) return undefined;
    const kind = C_SPELLINGS[body];
    if (kind !== undefined) return { kind };
    return /^[A-Za-z_]\w*$/.test(body) && body !== name ? C_TYPES[body] : undefined;
  }

  /**
   * `%#define xdr_T xdr_U` (`%#define xdr_dev_t xdr_u_int` in ufs_prot.x): the C code codes `T`
   * with `U`'s routine, so `T` is `U` — a C type, a primitive, or a type compiled here.
   */
  private cCodecDefine(name: string): TypeLookupResult | undefined {
    const m = /^xdr_(\w+)$/.exec(this.cDefineText(`xdr_${name}`) ?? "");
    const target = m?.[1];
    if (target === undefined || target === name) return undefined;
    const c = C_ROUTINES[target] ?? C_TYPES[target];
    if (c !== undefined) return { kind: "found", type: c, from: this.scope.file };
    const found = this.declared(target);
    if (found === undefined) return undefined;
    return { kind: "found", type: { kind: "ref", name: target }, from: found.scope.file };
  }
}
