/**
 * Symbol tables for the checker: what each file defines (from its syntax tree, before checking),
 * and constant evaluation across the files of one compilation. rpcgen itself checks none of
 * this (the C compiler finds some of it later); Lupine reports every problem with its position.
 */
import type { ConstDef, EnumDef, ProgramDef, StructDef, TypedefDef, UnionDef, Value } from "./ast.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";

/** A type definition after anonymous nested types got their names. */
export type NamedTypeDef =
  | { readonly kind: "struct"; readonly name: string; readonly def: StructDef; readonly pos: Pos }
  | { readonly kind: "union"; readonly name: string; readonly def: UnionDef; readonly pos: Pos }
  | { readonly kind: "enum"; readonly name: string; readonly def: EnumDef; readonly pos: Pos }
  | { readonly kind: "typedef"; readonly name: string; readonly def: TypedefDef; readonly pos: Pos };

/** Where a constant-like name comes from. */
export type ConstSource =
  | { readonly kind: "const"; readonly def: ConstDef }
  | { readonly kind: "member"; readonly enumDef: EnumDef; readonly index: number; readonly pos: Pos }
  /** Program, version and procedure names are constants too (rpcgen `#define`s them). */
  | { readonly kind: "number"; readonly what: string; readonly value: Value | null; readonly pos: Pos; readonly fixed?: bigint | undefined };

/** What one file defines. */
export class FileScope {
  readonly types = new Map<string, NamedTypeDef>();
  readonly consts = new Map<string, ConstSource>();
  /** Memoised constant values (undefined while being computed: cycle detection). */
  readonly values = new Map<string, bigint | null | "busy">();
  readonly programs: ProgramDef[] = [];
  /** Enum definitions by node, for member values. */
  readonly enumValues = new Map<EnumDef, (bigint | null)[]>();

  constructor(readonly file: string) {}
}

/** Evaluates constants across all files: own file first, then the others in order. */
export class ConstEvaluator {
  constructor(
    private readonly scopes: readonly FileScope[],
    private readonly diags: DiagnosticBag,
  ) {}

  /** Finds the scope that defines constant `name`, preferring `from`. */
  find(from: FileScope, name: string): FileScope | undefined {
    if (from.consts.has(name)) return from;
    return this.scopes.find((s) => s.consts.has(name));
  }

  /** The value of a `value` in `scope`; reports undefined names; `null` when unknown. */
  value(scope: FileScope, v: Value): bigint | null {
    if (v.kind === "number") return v.value;
    const r = this.name(scope, v.name, v.pos);
    return r === null ? null : v.negate ? -r : r;
  }

  /** The value of a constant name, or `null` (reported) if undefined or circular. */
  name(scope: FileScope, name: string, pos: Pos): bigint | null {
    const owner = this.find(scope, name);
    if (owner === undefined) {
      if (name === "TRUE") return 1n;
      if (name === "FALSE") return 0n;
      this.diags.error(pos, "undefined-name", `undefined constant '${name}'`);
      return null;
    }
    const memo = owner.values.get(name);
    if (memo === "busy") {
      this.diags.error(pos, "circular-constant", `constant '${name}' is defined in terms of itself`);
      return null;
    }
    if (memo !== undefined) return memo;
    owner.values.set(name, "busy");
    const src = owner.consts.get(name)!;
    let result: bigint | null;
    if (src.kind === "const") result = this.value(owner, src.def.value);
    else if (src.kind === "member") result = this.member(owner, src.enumDef, src.index);
    else if (src.fixed !== undefined) result = src.fixed;
    else result = src.value === null ? null : this.value(owner, src.value);
    owner.values.set(name, result);
    return result;
  }

  /** An enum member's value: explicit, or the previous member's + 1 (0 for the first), as in C. */
  member(scope: FileScope, def: EnumDef, index: number): bigint | null {
    let cache = scope.enumValues.get(def);
    if (cache === undefined) {
      cache = [];
      scope.enumValues.set(def, cache);
    }
    const known = cache[index];
    if (known !== undefined) return known;
    const m = def.members[index]!;
    let v: bigint | null;
    if (m.value !== null) v = this.value(scope, m.value);
    else if (index === 0) v = 0n;
    else {
      const prev = this.name(scope, def.members[index - 1]!.name, m.pos);
      v = prev === null ? null : prev + 1n;
    }
    cache[index] = v;
    return v;
  }
}
