/**
 * Symbol tables for the checker: what each file defines (from its syntax tree, before checking),
 * and constant evaluation across the files of one compilation. rpcgen itself checks none of
 * this (the C compiler finds some of it later); Lupine reports every problem with its position.
 */
import type {
  ConstDef,
  EnumDef,
  ProgramDef,
  StructDef,
  TypedefDef,
  UnionDef,
  Value,
} from "./ast.js";
import type { DiagnosticBag, Pos } from "./diagnostics.js";
import { evaluateExpression } from "./pp-expr.js";
import type { Token } from "./scanner.js";

/** A type definition after anonymous nested types got their names. */
export type NamedTypeDef =
  | { readonly kind: "struct"; readonly name: string; readonly def: StructDef; readonly pos: Pos }
  | { readonly kind: "union"; readonly name: string; readonly def: UnionDef; readonly pos: Pos }
  | { readonly kind: "enum"; readonly name: string; readonly def: EnumDef; readonly pos: Pos }
  | {
      readonly kind: "typedef";
      readonly name: string;
      readonly def: TypedefDef;
      readonly pos: Pos;
    };

/** Where a constant-like name comes from. */
export type ConstSource =
  | { readonly kind: "const"; readonly def: ConstDef }
  | {
      readonly kind: "member";
      readonly enumDef: EnumDef;
      readonly index: number;
      readonly pos: Pos;
    }
  /** Program, version and procedure names are constants too (rpcgen `#define`s them). */
  | {
      readonly kind: "number";
      readonly what: string;
      readonly value: Value | null;
      readonly pos: Pos;
      readonly fixed?: bigint | undefined;
    };

/**
 * Constants rpcgen's output gets from the ONC RPC C headers (`<rpc/rpc.h>`: `TRUE`, `FALSE`,
 * auth flavors, size limits), so that `.x` files that use them compile as they do with rpcgen.
 */
export const BUILTIN_CONSTANTS: Readonly<Record<string, bigint>> = {
  TRUE: 1n,
  FALSE: 0n,
  AUTH_NONE: 0n,
  AUTH_NULL: 0n,
  AUTH_SYS: 1n,
  AUTH_UNIX: 1n,
  AUTH_SHORT: 2n,
  AUTH_DH: 3n,
  AUTH_DES: 3n,
  AUTH_KERB: 4n,
  RPCSEC_GSS: 6n,
  MAXNETNAMELEN: 255n,
  MAX_NETOBJ_SZ: 1024n,
  MAX_MACHINE_NAME: 255n,
  NGRPS: 16n,
};

/** What one file defines. */
export class FileScope {
  readonly types = new Map<string, NamedTypeDef>();
  readonly consts = new Map<string, ConstSource>();
  /** Memoised constant values (undefined while being computed: cycle detection). */
  readonly values = new Map<string, bigint | null | "busy">();
  readonly programs: ProgramDef[] = [];
  /** Enum definitions by node, for member values. */
  readonly enumValues = new Map<EnumDef, (bigint | null)[]>();
  /**
   * `%#define NAME body` lines: C macros that rpcgen copies into its header, where the C
   * compiler resolves names the XDR text uses (`%#define LM_MAXSTRLEN 1024` in nlm_prot.x).
   * Used only for names nothing else defines.
   */
  readonly cDefines = new Map<string, { readonly body: Token[]; readonly pos: Pos }>();

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
    if (v.kind === "expr") {
      const r = evaluateExpression(
        v.tokens,
        new Map(),
        v.pos,
        this.diags,
        (id, t) => this.name(scope, id, t),
        "constant expression",
      );
      return r === null ? null : v.negate ? -r : r;
    }
    if (v.kind === "string") {
      this.diags.error(v.pos, "not-a-number", `a string ${v.text} is not a number`);
      return null;
    }
    const r = this.name(scope, v.name, v.pos);
    return r === null ? null : v.negate ? -r : r;
  }

  /** The value of a constant name, or `null` (reported) if undefined or circular. */
  name(scope: FileScope, name: string, pos: Pos): bigint | null {
    const owner = this.find(scope, name);
    if (owner === undefined) {
      const builtin = BUILTIN_CONSTANTS[name];
      if (builtin !== undefined) return builtin;
      const c = this.cDefine(scope, name, pos);
      if (c !== undefined) return c;
      this.diags.error(
        pos,
        "undefined-name",
        `undefined constant '${name}' (if a C header defines it, pass -D ${name}=VALUE)`,
      );
      return null;
    }
    const memo = owner.values.get(name);
    if (memo === "busy") {
      this.diags.error(
        pos,
        "circular-constant",
        `constant '${name}' is defined in terms of itself`,
      );
      return null;
    }
    if (memo !== undefined) return memo;
    owner.values.set(name, "busy");
    const src = owner.consts.get(name)!;
    let result: bigint | null;
    if (src.kind === "const") {
      if (src.def.value.kind === "string") {
        this.diags.error(pos, "not-a-number", `constant '${name}' is a string, not a number`);
        result = null;
      } else result = this.value(owner, src.def.value);
    } else if (src.kind === "member") result = this.member(owner, src.enumDef, src.index);
    else if (src.fixed !== undefined) result = src.fixed;
    else result = src.value === null ? null : this.value(owner, src.value);
    owner.values.set(name, result);
    return result;
  }

  /** The value of a `%#define` constant, or `undefined` when there is none. */
  private cDefine(scope: FileScope, name: string, pos: Pos): bigint | null | undefined {
    const owner = scope.cDefines.has(name) ? scope : this.scopes.find((s) => s.cDefines.has(name));
    const def = owner?.cDefines.get(name);
    if (owner === undefined || def === undefined) return undefined;
    const key = `%${name}`;
    const memo = owner.values.get(key);
    if (memo === "busy") {
      this.diags.error(
        pos,
        "circular-constant",
        `constant '${name}' is defined in terms of itself`,
      );
      return null;
    }
    if (memo !== undefined) return memo;
    owner.values.set(key, "busy");
    const v = evaluateExpression(
      def.body,
      new Map(),
      def.pos,
      this.diags,
      (id, t) => this.name(owner, id, t),
      `%#define ${name}`,
    );
    owner.values.set(key, v);
    return v;
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
      const prev = this.member(scope, def, index - 1);
      v = prev === null ? null : prev + 1n;
    }
    cache[index] = v;
    return v;
  }
}
